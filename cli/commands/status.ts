import type { Command } from "commander";
import type { OverviewDto } from "../../lib/overview/get-overview";
import { serverApi } from "../client";

export function register(program: Command): void {
  program
    .command("status")
    .description("queues and workers of the server at DEPOT_URL")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const o = await serverApi<OverviewDto>("/api/overview");
      if (opts.json) return console.log(JSON.stringify(o, null, 2));
      console.log("queue        waiting active completed failed delayed");
      for (const [name, c] of Object.entries(o.queues)) {
        console.log(`${name.padEnd(12)} ${String(c.waiting).padStart(7)} ${String(c.active).padStart(6)} ${String(c.completed).padStart(9)} ${String(c.failed).padStart(6)} ${String(c.delayed).padStart(7)}`);
      }
      console.log("\nworkers:");
      if (o.workers.length === 0) console.log("  none registered");
      for (const w of o.workers) {
        const gpu = w.gpu && w.gpu.backend !== "cpu" ? `${w.gpu.backend} ${(w.gpu.devices ?? []).join(", ")}` : "CPU";
        console.log(`  ${w.online ? "●" : "○"} ${w.name}  store ${w.storeId ?? "-"}  ${gpu}  last seen ${Math.round(w.lastSeenAgoMs / 1000)} s ago`);
      }
    });
}
