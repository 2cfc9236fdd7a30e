// Preload (`node --import ./bench/rusage-preload.mjs …`): on exit, writes this process's own
// process.resourceUsage() (getrusage RUSAGE_SELF: every thread of this process, no children) as
// JSON to the file named by BENCH_RUSAGE_FILE. Plain JS, so it adds no compile cost to the child.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
delete process.env.BENCH_RUSAGE_FILE; // not inherited by anything the process itself spawns
if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        code,
        userCPUTime: usage.userCPUTime,
        systemCPUTime: usage.systemCPUTime,
        maxRSS: usage.maxRSS,
        uptimeMs: Math.round(process.uptime() * 1000),
      }),
    );
  });
}
