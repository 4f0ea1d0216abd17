import type { RunningProcess, TestWorld } from '@dns01/testkit';
import { until } from '@dns01/testkit/support';

/**
 * Makes the provider slow, sends SIGINT, and once that interrupt's cleanup has
 * reached the provider (so it is still running, held up by the slow reply)
 * sends the second one; resolves with the exit status once the process has ended.
 */
export async function interruptTwice(run: RunningProcess, world: TestWorld): Promise<number | null> {
  world.emulator.server.inject({ fault: { kind: 'delay', ms: 3000 }, times: 10 });
  const requests = world.emulator.server.requests.length;
  let ended = false;
  void run.done.finally(() => (ended = true));
  run.child.kill('SIGINT');
  await until(() => ended || world.emulator.server.requests.length > requests);
  run.child.kill('SIGINT');
  const { status } = await run.done;
  world.emulator.server.clearFaults();
  return status;
}
