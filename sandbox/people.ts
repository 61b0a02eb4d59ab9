/**
 * Who is in the sandbox's workspace: three people with Slack-shaped ids, and the channel the
 * team deploys from. The demo's approval settings name these ids (see emulator/demo.ts).
 */
import type { FakeUser } from './slack-api/types.js';

export interface SandboxPerson extends FakeUser {
  real_name: string;
  /** What the person does in the demo, shown in the user switcher. */
  role: string;
}

export const REQUESTER: SandboxPerson = {
  id: 'U05DANA0001',
  name: 'dana',
  real_name: 'Dana Whitfield',
  role: 'data scientist, requests deployments',
};
export const APPROVER: SandboxPerson = { id: 'U05SAMO0002', name: 'sam', real_name: 'Sam Okafor', role: 'ML lead, approves deployments' };
export const OPS_ENGINEER: SandboxPerson = {
  id: 'U05PRIYA003',
  name: 'priya',
  real_name: 'Priya Raman',
  role: 'ops engineer, manages services and pools',
};

export const DEMO_PEOPLE: readonly SandboxPerson[] = [REQUESTER, APPROVER, OPS_ENGINEER];

export const DEMO_CHANNEL = { id: 'C05MLDEPLOY', name: 'ml-deploys' } as const;
