/**
 * The renderer's stylesheet: Slack's look (system font stack, Slack's text, link, green primary
 * and red danger colours, modal chrome). Every rule is scoped to `sk-` classes, so the page
 * shell can inject it with one `<style>` and keep its own layout rules apart.
 */
export const RENDER_CSS = `
.sk-message, .sk-view, .sk-confirm {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji";
  font-size: 15px; line-height: 1.46668; color: #1d1c1d; -webkit-font-smoothing: antialiased;
}
.sk-message { display: flex; gap: 8px; padding: 8px 20px; }
.sk-message:hover { background: #f8f8f8; }
.sk-avatar { flex: 0 0 36px; width: 36px; height: 36px; border-radius: 6px; background: #4a154b; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; overflow: hidden; }
.sk-avatar img { width: 100%; height: 100%; object-fit: cover; }
.sk-message-body { flex: 1 1 auto; min-width: 0; }
.sk-message-head { display: flex; align-items: baseline; gap: 6px; }
.sk-author { font-weight: 900; }
.sk-app-badge { font-size: 10px; font-weight: 700; color: #616061; background: rgba(29,28,29,.13); border-radius: 2px; padding: 0 3px; }
.sk-time { font-size: 12px; color: #616061; }
.sk-edited { font-size: 13px; color: #616061; margin-left: 4px; }
.sk-ephemeral { background: #f8f8f8; }
.sk-ephemeral-note { font-size: 13px; color: #616061; }
.sk-message-blocks { margin: 0; }
.sk-thread-link { margin-top: 4px; border: 0; background: none; padding: 0; color: #1264a3; font: inherit; font-size: 13px; font-weight: 700; cursor: pointer; }
.sk-thread-link:hover { text-decoration: underline; }
.sk-reactions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.sk-reaction { display: inline-flex; gap: 4px; align-items: center; border: 1px solid transparent; background: rgba(29,28,29,.06); border-radius: 24px; padding: 0 8px; height: 24px; font-size: 12px; cursor: pointer; }
.sk-reaction.sk-reacted { background: rgba(29,155,209,.1); border-color: #1d9bd1; color: #1264a3; }

.sk-mrkdwn { white-space: normal; overflow-wrap: anywhere; }
.sk-mrkdwn b { font-weight: 700; }
.sk-link { color: #1264a3; text-decoration: none; }
.sk-link:hover { text-decoration: underline; }
.sk-code { font-family: Monaco, Menlo, Consolas, "Courier New", monospace; font-size: 12px; color: #e01e5a; background: rgba(29,28,29,.04); border: 1px solid rgba(29,28,29,.13); border-radius: 3px; padding: 2px 3px 1px; -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.sk-pre { font-family: Monaco, Menlo, Consolas, "Courier New", monospace; font-size: 12px; line-height: 1.5; background: rgba(29,28,29,.04); border: 1px solid rgba(29,28,29,.13); border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.sk-pre .sk-code { color: inherit; background: none; border: 0; padding: 0; }
.sk-quote { border-left: 4px solid #dddddd; margin: 4px 0; padding: 0 0 0 12px; }
.sk-mention, .sk-channel { color: #1264a3; background: rgba(29,155,209,.1); border-radius: 3px; padding: 0 2px; }
.sk-broadcast { color: #1d1c1d; background: rgba(242,199,68,.4); }
.sk-emoji { font-style: normal; }
.sk-date { color: inherit; }

.sk-block { margin: 4px 0; }
.sk-header { font-size: 18px; font-weight: 900; line-height: 1.33; margin: 8px 0 4px; }
.sk-section { display: flex; gap: 12px; align-items: flex-start; }
.sk-section-main { flex: 1 1 auto; min-width: 0; }
.sk-accessory { flex: 0 0 auto; }
.sk-accessory-img { width: 88px; height: 88px; object-fit: cover; border-radius: 4px; }
.sk-fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; }
.sk-context { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 13px; color: #616061; }
.sk-context-img { width: 20px; height: 20px; border-radius: 4px; }
.sk-divider { border: 0; border-top: 1px solid rgba(29,28,29,.13); margin: 12px 0; }
.sk-actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.sk-image-title { font-size: 13px; color: #616061; }
.sk-image, .sk-file-img { max-width: 100%; max-height: 360px; border-radius: 8px; border: 1px solid rgba(29,28,29,.13); display: block; margin-top: 4px; }
.sk-img-missing { font-size: 13px; color: #616061; font-style: italic; }
.sk-file { margin: 4px 0; }
.sk-file-title { font-size: 13px; color: #616061; }
.sk-file-card { display: inline-flex; align-items: center; gap: 8px; border: 1px solid rgba(29,28,29,.13); border-radius: 8px; padding: 8px 12px; margin: 4px 0; }
.sk-file-size { font-size: 12px; color: #616061; }
.sk-attachment { border-left: 4px solid #dddddd; padding-left: 12px; margin: 4px 0; }
.sk-attachment-title { font-weight: 700; }
.sk-rt-list { margin: 0; padding-left: 22px; }
${Array.from({ length: 9 }, (_, i) => `.sk-rt-indent-${i} { margin-left: ${i * 22}px; }`).join('\n')}
.sk-rt-border { border-left: 4px solid #dddddd; }
.sk-color { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
.sk-table { border-collapse: collapse; font-size: 13px; }
.sk-table th, .sk-table td { border: 1px solid rgba(29,28,29,.13); padding: 4px 8px; text-align: left; }
.sk-video { border: 1px solid rgba(29,28,29,.13); border-radius: 8px; padding: 8px; }
.sk-video-thumb { max-width: 100%; border-radius: 4px; display: block; }
.sk-unsupported { display: inline-block; font-size: 13px; color: #8d1e1e; background: #fde8ec; border: 1px dashed #e01e5a; border-radius: 4px; padding: 2px 6px; }

.sk-btn { font: inherit; font-size: 15px; font-weight: 700; height: 36px; min-width: 80px; padding: 0 12px; border-radius: 4px; border: 1px solid rgba(29,28,29,.3); background: #fff; color: #1d1c1d; cursor: pointer; white-space: nowrap; }
.sk-btn:hover { background: #f8f8f8; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.sk-btn-small { height: 28px; min-width: 0; font-size: 13px; }
.sk-btn-primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.sk-btn-primary:hover { background: #148567; }
.sk-btn-danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.sk-btn-danger:hover { background: #e23067; }
.sk-btn:disabled { opacity: .5; cursor: default; }
.sk-busy { opacity: .6; pointer-events: none; cursor: progress; }
.sk-select, .sk-text, .sk-textarea, .sk-external-query { font: inherit; font-size: 15px; color: #1d1c1d; border: 1px solid rgba(29,28,29,.3); border-radius: 4px; padding: 0 10px; height: 36px; background: #fff; box-sizing: border-box; max-width: 100%; }
.sk-text, .sk-textarea, .sk-external, .sk-select { width: 100%; }
.sk-actions .sk-select, .sk-accessory .sk-select { width: auto; min-width: 180px; }
.sk-actions .sk-text, .sk-accessory .sk-text { width: auto; }
.sk-actions .sk-external, .sk-accessory .sk-external { width: auto; min-width: 220px; }
.sk-select.sk-multi { height: auto; min-height: 36px; padding: 4px; }
.sk-textarea { height: auto; padding: 8px 10px; resize: vertical; }
.sk-select:focus, .sk-text:focus, .sk-textarea:focus, .sk-external-query:focus { outline: none; border-color: #1264a3; box-shadow: 0 0 0 1px #1264a3, 0 0 0 5px rgba(29,155,209,.3); }
/* An external select is one box: the search field on top, the options (filled from block_suggestion) below. */
.sk-external { display: flex; flex-direction: column; border: 1px solid rgba(29,28,29,.3); border-radius: 4px; background: #fff; overflow: hidden; }
.sk-external:focus-within { border-color: #1264a3; box-shadow: 0 0 0 1px #1264a3, 0 0 0 5px rgba(29,155,209,.3); }
.sk-external .sk-external-query { width: 100%; height: 32px; border: 0; border-bottom: 1px solid rgba(29,28,29,.13); border-radius: 0; font-size: 13px; padding-left: 30px; background: #f8f8f8 url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='14' height='14' viewBox='0 0 14 14'%3E%3Ccircle cx='6' cy='6' r='4.5' fill='none' stroke='%23616061' stroke-width='1.5'/%3E%3Cpath d='M9.5 9.5 13 13' stroke='%23616061' stroke-width='1.5'/%3E%3C/svg%3E") no-repeat 10px center; }
.sk-external .sk-select { border: 0; border-radius: 0; box-shadow: none; }
.sk-external .sk-external-query:focus, .sk-external .sk-select:focus { box-shadow: none; }
.sk-has-error .sk-external { border-color: #e01e5a; box-shadow: 0 0 0 1px #e01e5a; }
.sk-overflow { width: 36px; height: 36px; border: 1px solid rgba(29,28,29,.3); border-radius: 4px; background: #fff; font-size: 18px; cursor: pointer; appearance: none; text-align: center; }
.sk-choices { display: flex; flex-direction: column; gap: 6px; }
.sk-choice { display: flex; gap: 8px; align-items: flex-start; cursor: pointer; }
.sk-choice input { margin-top: 4px; accent-color: #1264a3; }
.sk-choice-body { display: flex; flex-direction: column; }
.sk-choice-desc { font-size: 13px; color: #616061; }

.sk-input-block { margin: 16px 0; }
.sk-label { display: block; font-weight: 700; margin-bottom: 6px; }
.sk-optional { font-weight: 400; color: #616061; }
.sk-hint { font-size: 13px; color: #616061; margin-top: 4px; }
.sk-field-error { font-size: 13px; color: #e01e5a; margin-top: 4px; }
.sk-field-error:empty { display: none; }
.sk-has-error .sk-text, .sk-has-error .sk-select, .sk-has-error .sk-textarea, .sk-has-error .sk-external-query { border-color: #e01e5a; box-shadow: 0 0 0 1px #e01e5a; }

.sk-modal { width: 520px; max-width: calc(100vw - 32px); max-height: calc(100vh - 64px); display: flex; flex-direction: column; background: #fff; border-radius: 8px; box-shadow: 0 0 0 1px rgba(29,28,29,.13), 0 18px 48px rgba(0,0,0,.35); overflow: hidden; }
.sk-modal-header { display: flex; align-items: center; justify-content: space-between; padding: 18px 16px 12px 28px; }
.sk-modal-title { font-size: 22px; font-weight: 900; line-height: 1.27; }
.sk-modal-x { border: 0; background: none; font-size: 26px; line-height: 1; color: #616061; cursor: pointer; width: 36px; height: 36px; border-radius: 4px; }
.sk-modal-x:hover { background: #f8f8f8; color: #1d1c1d; }
.sk-modal-body { flex: 1 1 auto; overflow-y: auto; padding: 0 28px 12px; }
.sk-view-form { margin: 0; }
.sk-modal-footer { display: flex; justify-content: flex-end; gap: 12px; padding: 20px 28px 24px; border-top: 1px solid rgba(29,28,29,.13); }
.sk-home { padding: 16px 28px; }
.sk-confirm { width: 440px; max-width: calc(100vw - 32px); background: #fff; border-radius: 8px; padding: 24px 28px; box-shadow: 0 18px 48px rgba(0,0,0,.35); }
.sk-confirm-title { font-size: 22px; font-weight: 900; margin-bottom: 12px; }
.sk-confirm-buttons { display: flex; justify-content: flex-end; gap: 12px; margin-top: 24px; }
`;
