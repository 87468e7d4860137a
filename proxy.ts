import { NextResponse, type NextRequest } from "next/server";

// Optimistic gate only (Next.js guidance): pages without a session cookie go to /login. The real checks are
// requireUser() in every page and withRole() in every route handler.
export function proxy(req: NextRequest) {
  if (!req.cookies.has("depot_session")) {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = "";
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!api|v1|metrics|login|setup|_next|favicon.ico|icon.svg).*)"],
};
