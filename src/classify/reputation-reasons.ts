/**
 * Reputation reasons: did a remote server refuse or defer our mail because of who we are (our IP
 * is listed or banned, we are throttled, the message looks like spam, the sender domain fails
 * SPF/DKIM/DMARC)? Decided from the remote server's own words only, wherever qmail-remote quoted
 * them (greeting, MAIL, RCPT, DATA). The table is documented in docs/metrics.md ("Delivery
 * reasons") and tested against real replies in test/fixtures/remote-replies.tsv.
 *
 *   554-gmx.net (mxgmx116) Nemesis ESMTP Service not available / 554-IP address is black listed.  → blocklisted
 *   421-4.7.28 … mail sent from your IP address has been temporarily rate limited.                 → rate_limited
 *   550-5.7.1 … this message is likely unsolicited mail. To reduce the amount of spam …             → spam_rejected
 *   550-5.7.26 This mail has been blocked because the sender is unauthenticated. …                   → auth_policy
 *
 * The groups are tried in this order: ordinary refusals that only sound like reputation (greylisting,
 * a recipient who receives too fast, a DNSBL refusing everybody because the receiver's resolver is
 * misconfigured) first, then authentication (Gmail throttles and blocks unauthenticated mail in
 * words that also say 'rate limited' or 'blocked'), then rate limiting (its texts often mention
 * reputation or spam as the cause of a temporary throttle), then listings, then spam.
 */

export type ReputationReason = 'blocklisted' | 'rate_limited' | 'spam_rejected' | 'auth_policy';

/**
 * A remote reply after qmail's logsafe() (spaces '_', line breaks '/'), lower-cased, as plain words:
 * underscores back to spaces and each continuation line's reply code ('/550-5.7.1 ') dropped, so a
 * phrase split over two lines of a multi-line reply reads whole.
 */
export function plainReply(reply: string): string {
  return reply
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/\/\s*[245]\d\d(?:[ -]+[245]\.\d{1,3}\.\d{1,3})?(?=[ -]|\/|$)[ -]?/g, ' ')
    .replace(/\/+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Refusals that mention a list, a rate or a block but are not about this host's reputation. */
const ORDINARY: readonly RegExp[] = [
  /greylist|graylist/, // 'blocked using grey.rbl … Greylisting in action, please try again later'
  /open resolver|\/returnc\/|query refused/, // the receiver's DNSBL queries fail: it refuses everybody
  /user you are trying to contact is receiving mail|receiving mail (too quickly|at a rate)/, // Gmail, per recipient
  /recipient has exceeded (their|the) limit|messages they can receive/, // Microsoft 5.2.122, per recipient
  /(blacklisted|blocked) by (the )?recipient/, // one user's own sender list
  /first-time sender|anti-spam measure/, // greylisting that names spam as its motive
];

const RATE_LIMITED: readonly RegExp[] = [
  /rate[- ]?limit/, // 'temporarily rate limited', 'RateLimitError'
  /\b4\.7\.28\b/, // Gmail: unusual rate of unsolicited mail, rate limited
  /\b4\.7\.(5\d\d|6[0-9]\d)\b/, // Microsoft 451 4.7.500-699: IP throttled ('Server busy', 'rate limited due to IP reputation')
  /\[tss0[45]\]|\[ts0[12]\]|\[gl01\]/, // Yahoo/AOL deferrals: unexpected volume or user complaints
  /(unexpected|excessive|unusual) volume|volume or user complaints|due to user complaints/,
  /messages? from .{0,40}temporarily deferred/,
  /too many (connections|concurrent|simultaneous|sessions|messages)|concurrent connections|maximum number of (concurrent )?connections/,
  /slow down/,
  /(submission|sending|message|connection) rate .{0,40}exceeded|exceeded the configured limit/,
  /throttl/,
  /\bdyn:t\d\b/, // AOL 421 DYN:T1
  /\brl0000\d\d\b/, // Comcast RL000001
  /\bofr004 10[45]\b|\bofr 999\b/, // Orange: too many connections / service refused, try later
  /\brp-00\d\b|limits for how many messages/, // Outlook.com RP-001..003: per-hour and per-day limits
];

const BLOCKLISTED: readonly RegExp[] = [
  // DNSBL and reputation services by name
  /spamhaus|spamcop|\bsorbs\b|uceprotect|barracuda|abuseat|\bpsbl\b|mailspike|spameatingmonkey|backscatterer|hostkarma|junkemailfilter|spamrl|cloudmark|ipcheck\.proofpoint|dnsbl-lookup|mail-abuse\.com|senderscore|return path reputation/,
  /\bdnsbl|\brbl\b|\brhsbl\b|realtime block ?list/,
  /black[- ]?list|block[- ]?list|deny[- ]?list/, // 'black listed', 'blocklisted', 'block list', 'Customer Block list'
  /banned sending ip|banned sender|ip banned|access denied, banned/,
  /\b5\.7\.(6[0-4]\d|511|513|708)\b/, // Microsoft: banned sending IP / banned sender / customer block list / traffic not accepted from this IP
  /\b(a?s3140|a?s3150)\b|\bsc-00[1-4]\b|\bou-001\b|\bdy-001\b/, // Outlook.com: network on our block list, dynamic IP
  /\[bl2\d\]|\[tss0[79]\]|\btss09\b|all messages from .{0,40}will be permanently deferred/, // Yahoo: IP on Spamhaus's list / permanently deferred
  /\b(rtr|rly):(bl|sc)\b|\bcon:b1\b/, // AOL
  /\(bl\)(?![a-z])|\bbl0000\d\d\b/, // T-Online '(BL)', Comcast BL000010
  /\bofr006 \d{3}\b|adresse ip source bloquee/, // Orange: source IP blocked
  /blocked using|(?<!not )(?<!n't )\blisted (at|in|on|by)\b|listing in|found in dns/,
  /\b(ip|ip address|client host|client|host|sending host|server|sending mta|your network)\b(?:[^.;]|\.(?=\S)){0,40}\b(blocked|banned|blacklisted|rejected due to|not accepted)\b/,
  /<?\b\d{1,3}(\.\d{1,3}){3}\b>? (is |has been )?blocked\b/, // AT&T '521 <192.0.2.7> is blocked'
  /:blocked\)/, // Barracuda 'permanent failure for one or more recipients (x@example.org:blocked)'
  /block(ed)? for spam|blocked for spamming|identified as spammer|not allowed to connect|traffic not accepted from this ip/,
  /not authorized to send (e-?mail )?directly/, // Gmail: 'The IP you're using to send mail is not authorized to send email directly to our servers'
  /reputation|sender ?score/, // 'poor reputation', 'very low reputation of the sending domain', 'IP reputation', 'low sender score'
];

const AUTH_POLICY: readonly RegExp[] = [
  /\bdmarc\b|\bspf\b|\bdkim\b|sender policy framework|domainkeys/,
  /unauthenticated (email|mail)\b|sender is unauthenticated|mail is unauthenticated|authentication (checks|information|level|results)/,
  /anti-?spoofing|spoofed|spoofing/,
  /\b[45]\.7\.(2[0-4]|26|509|515)\b/, // RFC 7372 DKIM/SPF codes, 5.7.26 multiple checks failed; Microsoft 5.7.509/515
  /\b5\.7\.9 message not accepted for policy reasons/, // Yahoo's DMARC refusal
];

const SPAM_REJECTED: readonly RegExp[] = [
  /\bspam\b|\bspammy\b|unsolicited|\bube\b|\buce\b|junk ?mail/,
  /\[ph01\]|phish/, // Yahoo PH01: message judged phishing
  /\bou-002\b/, // Outlook.com: content judged spam
  /content (was )?(rejected|blocked)|spam url/,
];

const MAX_REPLY = 4096;

function matchesAny(text: string, rules: readonly RegExp[]): boolean {
  for (const r of rules) if (r.test(text)) return true;
  return false;
}

/**
 * The reputation reason a remote reply gives, or null for an ordinary refusal (user unknown,
 * mailbox full, relaying denied, a plain server error). `reply` is the remote server's words as
 * qmail-send logged them (logsafe form, any case).
 */
export function classifyReputation(reply: string): ReputationReason | null {
  if (reply === '') return null;
  if (reply.length > MEMO_MAX_REPLY) return classifyUncached(reply);
  const known = memo.get(reply);
  if (known !== undefined) return known;
  const reason = classifyUncached(reply);
  // A mail host refuses and defers in the same few replies over and over (one per provider and
  // cause): remembering the last few hundred answers skips the lower-casing, rewriting and some
  // sixty expressions for nearly every delivery. Bounded: emptied whole when full.
  if (memo.size >= MEMO_ENTRIES) memo.clear();
  memo.set(reply, reason);
  return reason;
}

/** Replies remembered by classifyReputation, and the longest one it remembers (≤ 256 KB held). */
const MEMO_ENTRIES = 512;
const MEMO_MAX_REPLY = 512;
const memo = new Map<string, ReputationReason | null>();

function classifyUncached(reply: string): ReputationReason | null {
  // Real replies are a few lines (Gmail's longest is under 1 KB); a hostile 100 KB report is read
  // only as far as a reply can reasonably go, so one line never costs more than a bounded scan.
  const text = plainReply(reply.length > MAX_REPLY ? reply.slice(0, MAX_REPLY) : reply);
  if (matchesAny(text, ORDINARY)) return null;
  if (matchesAny(text, AUTH_POLICY)) return 'auth_policy';
  if (matchesAny(text, RATE_LIMITED)) return 'rate_limited';
  if (matchesAny(text, BLOCKLISTED)) return 'blocklisted';
  if (matchesAny(text, SPAM_REJECTED)) return 'spam_rejected';
  return null;
}
