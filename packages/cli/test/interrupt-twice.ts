import type { ChildProcess } from 'node:child_process';
import type { TestWorld } from '@dns01/testkit';

/**
 * Makes the provider slow (so the first interrupt's cleanup is still running),
 * sends SIGINT twice 100 ms apart, and resolves with the exit status once the
 * process has ended.
 */
export async function interruptTwice(child: ChildProcess, world: TestWorld): Promise<number | null> {
  world.emulator.server.inject({ fault: { kind: 'delay', ms: 3000 }, times: 10 });
  const closed = new Promise<number | null>((done) => child.on('close', done));
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const status = await closed;
  world.emulator.server.clearFaults();
  return status;
}
