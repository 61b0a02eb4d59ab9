/**
 * manifest.yml asks for exactly the bot scopes the code needs: each Web API method the code calls
 * (found in src/ by name) needs the scopes below, from Slack's method reference
 * (https://docs.slack.dev/reference/methods/<method>, "Required scopes"). A method the code starts
 * calling that is not in the table fails this test, so the table and the manifest stay honest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  // chat:write.public: the summary goes to public channels the bot has not joined.
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'views.open': [],
  'views.update': [],
  'views.push': [],
  // One scope per kind of conversation /spcs can be used in: public and private channels, DMs, group DMs.
  'conversations.members': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  // A post tried again looks for the message an earlier try may have posted (issue 13), where /spcs runs.
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'usergroups.users.list': ['usergroups:read'],
  // files.uploadV2 = files.getUploadURLExternal + files.completeUploadExternal.
  'files.uploadV2': ['files:write'],
  // Bolt's start and src/startup.ts; no scope.
  'auth.test': [],
};

const FAMILIES = [
  'chat',
  'views',
  'conversations',
  'usergroups',
  'users',
  'files',
  'reactions',
  'pins',
  'bookmarks',
  'reminders',
  'team',
  'bots',
  'emoji',
  'dnd',
  'search',
];
const CALL = new RegExp(`\\b(${FAMILIES.join('|')})\\s*\\.\\s*([a-zA-Z]+(?:\\.[a-zA-Z]+)?)\\s*\\(`, 'g');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every Web API method named in a call in src/ (`client.chat.postMessage(`, `filesUploadV2(`), plus auth.test. */
function calledMethods(): Set<string> {
  const methods = new Set<string>(['auth.test']);
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(CALL)) methods.add(`${m[1]}.${m[2]}`);
    if (/\bfilesUploadV2\s*\(/.test(text)) methods.add('files.uploadV2');
  }
  return methods;
}

const Manifest = z.object({
  features: z.object({ slash_commands: z.array(z.object({ command: z.string() })).default([]) }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
});

describe('manifest.yml scopes', () => {
  const manifest = Manifest.parse(parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')));
  const called = [...calledMethods()].sort();

  it('when the code calls a Web API method, then the scope table knows it', () => {
    expect(called.filter((m) => METHOD_SCOPES[m] === undefined)).toEqual([]);
    expect(called).toEqual(expect.arrayContaining(['chat.postMessage', 'conversations.members', 'files.uploadV2']));
  });

  it('then the manifest asks for exactly the scopes those methods need, and commands for the slash command', () => {
    const needed = new Set(called.flatMap((m) => METHOD_SCOPES[m] ?? []));
    if (manifest.features.slash_commands.length > 0) needed.add('commands');
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });
});
