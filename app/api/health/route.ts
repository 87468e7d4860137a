/** Liveness probe for load balancers and compose healthchecks: reveals nothing but that the server answers. */
export function GET() {
  return Response.json({ ok: true });
}
