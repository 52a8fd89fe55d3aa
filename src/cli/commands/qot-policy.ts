/**
 * `qot-policy [--margin-db X] [--max-unamplified-loss-db Y]`: the QoT policy (GET /v1/qot/policy),
 * or, given a value, the policy with that value changed (PUT, operators): the GSNR margin every new
 * wave keeps above its mode's threshold, and the largest loss dark fiber is offered without amplifiers.
 */
import type { Command } from 'commander';
import { withClient } from '../client.js';
import { output } from '../context.js';
import { num } from './quote.js';

interface QotPolicy {
  marginDb: number;
  maxUnamplifiedLossDb: number;
}

export function registerQotPolicyCommand(program: Command): void {
  program
    .command('qot-policy')
    .description('show the QoT policy, or change it (operators): GSNR margin of new waves, unamplified dark-fiber maximum')
    .option('--margin-db <dB>', 'GSNR margin every new wave keeps above its mode\'s required OSNR', num)
    .option('--max-unamplified-loss-db <dB>', 'largest dark-fiber path loss offered without amplification', num)
    .action(async (opts: { marginDb?: number; maxUnamplifiedLossDb?: number }, cmd: Command) => {
      const policy = await withClient(cmd, async (c) => {
        const current = await c.request<QotPolicy>('GET', '/v1/qot/policy');
        if (opts.marginDb === undefined && opts.maxUnamplifiedLossDb === undefined) return current;
        return c.request<QotPolicy>('PUT', '/v1/qot/policy', { body: { ...current, ...(opts.marginDb !== undefined ? { marginDb: opts.marginDb } : {}), ...(opts.maxUnamplifiedLossDb !== undefined ? { maxUnamplifiedLossDb: opts.maxUnamplifiedLossDb } : {}) } });
      });
      output(cmd, policy, () => `GSNR margin ${policy.marginDb} dB above each mode's threshold; dark fiber up to ${policy.maxUnamplifiedLossDb} dB without amplification`);
    });
}
