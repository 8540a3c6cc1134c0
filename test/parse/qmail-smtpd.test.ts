import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseQmailSmtpd, smtpAuthProtocol } from '../../src/parse/qmail-smtpd.js';
import {
  AUTH_REASONS,
  RBL_CODES,
  RECIPIENT_CASES,
  RECIPIENT_REASONS,
  SENDER_REASONS,
} from '../../src/events/events.js';
import { auth, ctx, IP, recipient, sender, table } from './qmail-smtpd-cases.js';

const FT = ' F:info@example.com T:bob@example.net';

describe('qmail-smtpd: the program prefix', () => {
  const body = `AUTH successful [${IP}] info@example.com`;
  table([
    ['without prefix (dispatcher already cut it)', body, auth('success', 'none', 'info@example.com')],
    ["'qmail-smtpd: '", `qmail-smtpd: ${body}`, auth('success', 'none', 'info@example.com')],
    ["'qmail-smtpd[pid]: '", `qmail-smtpd[4242]: ${body}`, auth('success', 'none', 'info@example.com')],
  ]);

  test('AUTH protocol from the listener name', () => {
    assert.equal(smtpAuthProtocol('smtp'), 'smtp');
    assert.equal(smtpAuthProtocol('smtp-mx'), 'smtp');
    assert.equal(smtpAuthProtocol('submission'), 'submission');
    assert.equal(smtpAuthProtocol('qmail-Submission'), 'submission');
    assert.equal(smtpAuthProtocol('smtp587'), 'submission');
    assert.equal(smtpAuthProtocol('smtps'), 'smtps');
    assert.equal(smtpAuthProtocol('smtp-465'), 'smtps');
    assert.deepEqual(
      parseQmailSmtpd(`AUTH failed [${IP}] x`, { time: ctx.time, listener: 'submission' }),
      auth('failure', 'bad_password', 'x', IP, 'submission'),
    );
  });
});

describe('qmail-smtpd: unknown text and hostile input', () => {
  table([
    ['empty', '', null],
    ['another program', 'tcpserver: status: 1/40', null],
    ['unknown qmail-smtpd text', 'qmail-smtpd: something new', null],
    ['AUTH without bracket', 'AUTH successful info@example.com', null],
    ['spf-reject without MAILFROM', 'spf-reject: HELO(x) from 1.2.3.4', null],
    ['badmailfrom without "> at "', 'badmailfrom: <spam@example.org', null],
  ]);

  test('100 KB of ":" and "<" in the client fields parse (timing: bench/program-parsers.ts)', () => {
    const junk = ':<'.repeat(50_000);
    assert.deepEqual(
      parseQmailSmtpd(`spf-reject: HELO(${junk}) from ${IP}. MAILFROM:spam@example.org`, ctx),
      sender('rejected', 'spf', { sender: 'spam@example.org' }),
    );
    assert.deepEqual(
      parseQmailSmtpd(`pid 1 Accept::RCPT::Recipients_Cdb P:ESMTP S:${IP}:unknown H:${junk}${FT}`, ctx),
      recipient('inbound_accepted', 'none'),
    );
    assert.deepEqual(
      parseQmailSmtpd(`pid 1 from ${IP} HELO <${junk}> MAIL from <info@example.com> RCPT <bob@example.net> AUTH <local-rcpt> Size: 1`, ctx),
      recipient('inbound_accepted', 'none'),
    );
  });

  test('property: never throws, labels only from the vocabularies', () => {
    const pieces = ['qmail-smtpd: ', 'qlogenvelope:', ' result=rejected', ' reason=chkuser', ' detail=', ' rcptto=', ' code=553', 'pid 1 ', 'Accept::AUTH::login', ' S:', ' H:', ' F:', ' T:', " ?~ '", "'", 'AUTH failed [', '] ', 'badmailfrom: <', '> at ', 'from ', ' HELO <', '> AUTH <', '> Size: ', ':', '<', '>'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 16 }), (parts) => {
        const e = parseQmailSmtpd(parts.join(''), ctx);
        if (e === null) return;
        switch (e.event) {
          case 'smtp.recipient':
            assert.ok(RECIPIENT_CASES.includes(e.case) && RECIPIENT_REASONS.includes(e.reason));
            break;
          case 'smtp.sender':
            assert.ok(SENDER_REASONS.includes(e.reason));
            break;
          case 'auth':
            assert.ok(AUTH_REASONS.includes(e.reason) && ['smtp', 'submission', 'smtps'].includes(e.protocol));
            break;
          case 'rbl.reject':
            assert.ok(RBL_CODES.includes(e.code));
            break;
          case 'smtp.queued':
          case 'ignored':
            break;
          default:
            assert.fail(`unexpected event ${e.event}`);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
