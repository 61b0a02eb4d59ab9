import type { WebClient } from '@slack/web-api';
import { type EphemeralMessage, inlineCode, notice } from '../../blocks/kit.js';
import type { Logger } from '../../logger.js';
import { notInChannel, slackErrorCode } from '../../slack-errors.js';

/** Where a file goes: the channel the command came from (a deployment's thread once those are tracked). */
export interface UploadTarget {
  readonly client: WebClient;
  readonly channel: string;
}

export interface Upload {
  readonly filename: string;
  readonly title: string;
  readonly comment: string;
  readonly bytes: Buffer;
  readonly altText?: string;
}

/**
 * files.uploadV2 into the channel. Returns null on success, or the message to show the person
 * when Slack refuses (e.g. the bot is not in the channel).
 */
export async function uploadFile(target: UploadTarget, upload: Upload, logger: Logger): Promise<EphemeralMessage | null> {
  try {
    await target.client.filesUploadV2({
      channel_id: target.channel,
      file: upload.bytes,
      filename: upload.filename,
      title: upload.title,
      initial_comment: upload.comment,
      ...(upload.altText === undefined ? {} : { alt_text: upload.altText }),
    });
    return null;
  } catch (err) {
    logger.warn({ err, file: upload.filename }, 'file upload failed');
    const code = slackErrorCode(err);
    if (notInChannel(code)) {
      return notice(`:warning: I could not post ${inlineCode(upload.filename)} here: invite me to the channel first (\`/invite @spcs\`).`);
    }
    return notice(
      `:warning: Slack refused the upload of ${inlineCode(upload.filename)}${code === '' ? '' : ` (${code})`}. Try again in a moment.`,
    );
  }
}
