/** What the renderer knows about the workspace around a message: people, channels, files, clock. */

export interface RenderUser {
  /** Display name, as Slack shows it after `@`. */
  readonly name: string;
  /** Avatar URL, shown next to messages. */
  readonly avatarUrl?: string;
}

/** A file as files.uploadV2 / files.info describe it (the fields the renderer reads). */
export interface RenderFile {
  readonly id: string;
  readonly name?: string | undefined;
  readonly title?: string | undefined;
  readonly mimetype?: string | undefined;
  readonly filetype?: string | undefined;
  readonly size?: number | undefined;
  readonly url_private?: string | undefined;
  readonly permalink?: string | undefined;
}

export interface RenderContext {
  /** User id (U…/W…) → person. Unknown ids render as their id. */
  readonly users?: Readonly<Record<string, RenderUser>>;
  /** Channel id (C…/G…/D…) → name without `#`. */
  readonly channels?: Readonly<Record<string, string>>;
  /** IANA zone for `<!date^…>` and message times; default UTC, so output is deterministic. */
  readonly timeZone?: string;
  /** "Now" for today/yesterday/tomorrow and `{ago}`; default Date.now(). */
  readonly nowMs?: number;
  /** The URL the page serves a file's bytes from (images inline); undefined: show a file card only. */
  readonly fileUrl?: (file: RenderFile) => string | undefined;
  /** Files by id, for `file` blocks and `slack_file` images that name only an id. */
  readonly files?: Readonly<Record<string, RenderFile>>;
  /** The person looking at the page: their reactions are highlighted. */
  readonly viewerId?: string;
  /** Extra emoji shortcodes → characters, on top of the built-in map. */
  readonly emoji?: Readonly<Record<string, string>>;
}

export const userName = (ctx: RenderContext, id: string): string => ctx.users?.[id]?.name ?? id;
export const channelName = (ctx: RenderContext, id: string): string | undefined => ctx.channels?.[id];
