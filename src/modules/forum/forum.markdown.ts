import MarkdownIt from 'markdown-it';

/**
 * Post bodies as HTML (ForumPost.bodyHtml). Bodies are stored as given (plain text or Markdown)
 * and rendered on read by markdown-it, a maintained CommonMark parser:
 * - `html: false`: raw HTML in a body is escaped, never passed through (<script>, <img onerror>);
 * - markdown-it's validateLink refuses javascript:, vbscript:, file: and data: links, which then
 *   stay text;
 * - images are disabled (a body cannot make readers' browsers fetch a URL);
 * - links get rel="nofollow noopener noreferrer";
 * - `linkify` turns bare URLs into links, `breaks` keeps line breaks as typed.
 * One renderer for the hub: markdown-it keeps no state between renders.
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: true }).disable('image');

const LINK_REL = 'nofollow noopener noreferrer';
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', LINK_REL);
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** The body as safe HTML (nothing in it runs script or loads anything in a reader's browser). */
export function renderPostBody(body: string): string {
  return md.render(body);
}
