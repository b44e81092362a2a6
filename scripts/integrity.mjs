// Subresource Integrity for the post-build hooks that rewrite a file Trunk already named in
// index.html by its hash.
import { createHash } from "node:crypto";

export const sri = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

/** index.html with the integrity of `before` replaced by that of `after`, or null when
 *  index.html does not name `before`. */
export function rewriteIntegrity(html, before, after) {
  const old = sri(before);
  return html.includes(old) ? html.split(old).join(sri(after)) : null;
}
