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
      <label className="field">Name<input name="name" autoComplete="name" required /></label>
      <label className="field">Email<input name="email" type="email" autoComplete="username" required /></label>
      <label className="field">Password (8+ characters)<input name="password" type="password" autoComplete="new-password" minLength={8} required /></label>
      {error && <div className="error" role="alert">{error}</div>}
      <button type="submit">Create administrator</button>
    </form>
  );
}
