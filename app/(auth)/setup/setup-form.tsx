"use client";
import { useState, type FormEvent } from "react";
import { api } from "@/components/api";

export function SetupForm() {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body = { email: f.get("email"), name: f.get("name"), password: f.get("password") };
    try {
      await api("/api/setup", { body });
      await api("/api/auth/login", { body: { email: body.email, password: body.password } });
      window.location.href = "/";
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="stack" onSubmit={submit}>
      <input name="name" placeholder="Name" required />
      <input name="email" type="email" placeholder="Email" required />
      <input name="password" type="password" placeholder="Password (8+ characters)" minLength={8} required />
      {error && <div className="error" role="alert">{error}</div>}
      <button type="submit">Create administrator</button>
    </form>
  );
}
