import { spawnSync } from "node:child_process";

/**
 * Drops a data directory's files from the kernel's page cache (`posix_fadvise(DONTNEED)` on
 * each file, through python3's `os.posix_fadvise`; `vmtouch -e` where installed), so the next
 * reads come from disk: the "cold" figure of a restarted process. Never the machine-wide
 * `drop_caches`. Pages still mapped or dirty stay: evict with no process holding the directory.
 */
export function evictFromPageCache(dir: string): { files: number; tool: string } {
  const vmtouch = spawnSync("vmtouch", ["-e", "-q", dir], { encoding: "utf8" });
  if (vmtouch.status === 0) return { files: Number.NaN, tool: "vmtouch -e" };
  const script = `
import os, sys
n = 0
for root, _, files in os.walk(sys.argv[1]):
    for name in files:
        try:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            n += 1
        finally:
            os.close(fd)
print(n)
`;
  const python = spawnSync("python3", ["-c", script, dir], { encoding: "utf8" });
  if (python.status !== 0) {
    throw new Error(
      `cannot evict ${dir} from the page cache: neither vmtouch nor python3 worked (${python.stderr || python.error})`,
    );
  }
  return { files: Number(python.stdout.trim()), tool: "posix_fadvise(DONTNEED)" };
}
