import { describe } from 'node:test';
import { auth, IGNORED, IP, recipient, sender, table } from './qmail-smtpd-cases.js';

function sq(action: string, tail: string, ip = IP): string {
  return `qmail-smtpd: pid 4242 ${action} P:ESMTP S:${ip}:unknown H:laptop${tail}`;
}
const FT = ' F:info@example.com T:bob@example.net';

describe('qmail-smtpd: s/qmail and aQmail smtpdlog lines', () => {
  table([
    [
      'Accept::AUTH (recipient of an authenticated session), same user',
      sq('Accept::AUTH::login', `${FT} ?~ 'info@example.com'`),
      recipient('sent_auth_same_user', 'none', { auth: 'info@example.com' }),
    ],
    [
      'Accept::AUTH, different user',
      sq('Accept::AUTH::plain', `${FT} ?~ 'boss@example.com'`),
      recipient('sent_auth_different_user', 'same_domain', { auth: 'boss@example.com' }),
    ],
    ['Reject::AUTH (failed AUTH)', sq('Reject::AUTH::login', " ?~ 'info@example.com'"), auth('failure', 'auth_failed', 'info@example.com')],
    ['Reject::AUTH::Auth_Meth (mechanism not allowed)', sq('Reject::AUTH::Auth_Meth', " ?~ 'none'"), IGNORED],
    ['Reject::AUTH::missing (auth required)', sq('Reject::AUTH::missing', ''), sender('rejected', 'must_auth', { sender: '' })],
    ['Reject::SNDR::Invalid_Relay', sq('Reject::SNDR::Invalid_Relay', FT), recipient('rejected_no_auth', 'relay_denied')],
    ['Reject::SNDR::Bad_Helo', sq('Reject::SNDR::Bad_Helo', `${FT} '*'`), IGNORED],
    ['Reject::SNDR::DNS_Helo', sq('Reject::SNDR::DNS_Helo', `${FT} 'A'`), IGNORED],
    ['Reject::ORIG::DNS_MF', sq('Reject::ORIG::DNS_MF', FT), sender('rejected', 'invalid_domain')],
    ['Reject::ORIG::Bad_Mailfrom', sq('Reject::ORIG::Bad_Mailfrom', `${FT} '@'`), sender('rejected', 'blacklisted')],
    ['Reject::ORIG::Invalid_Mailfrom', sq('Reject::ORIG::Invalid_Mailfrom', FT), sender('rejected', 'other')],
    ['Reject::SPF::Fail', sq('Reject::SPF::Fail', FT), sender('rejected', 'spf')],
    ['Reject::RCPT::Failed_Rcptto', sq('Reject::RCPT::Failed_Rcptto', FT), recipient('inbound_rejected', 'no_mailbox')],
    ['Reject::RCPT::Bad_Rcptto', sq('Reject::RCPT::Bad_Rcptto', FT), recipient('inbound_rejected', 'blacklisted')],
    ['Reject::RCPT::Toomany_Rcptto', sq('Reject::RCPT::Toomany_Rcptto', FT), recipient('inbound_rejected', 'too_many_recipients')],
    ['Reject::DATA::Invalid_Size', sq('Reject::DATA::Invalid_Size', FT), IGNORED],
    ['Reject::DATA::Virus_Infected', sq('Reject::DATA::Virus_Infected', `${FT} 'AV scanner'`), IGNORED],
    ['Reject::TLS::missing', sq('Reject::TLS::missing', ''), IGNORED],
    ['Accept::SNDR::Relay_Client', sq('Accept::SNDR::Relay_Client', FT), recipient('sent_no_auth', 'none')],
    ['Accept::ORIG::Local_Sender', sq('Accept::ORIG::Local_Sender', FT), recipient('sent_no_auth', 'none')],
    ['Accept::RCPT::Recipients_Cdb', sq('Accept::RCPT::Recipients_Cdb', FT), recipient('inbound_accepted', 'none')],
    ['Accept::SPF::Rcpthosts_Rcptto', sq('Accept::SPF::Rcpthosts_Rcptto', FT), recipient('inbound_accepted', 'none')],
    ['IPv6 client', sq('Accept::RCPT::Rcpthosts_Rcptto', FT, '2001:db8::25'), recipient('inbound_accepted', 'none', { ip: '2001:db8::25' })],
    [
      "HELO holding ' F:' and ' T:'",
      `qmail-smtpd: pid 4242 Reject::SNDR::Invalid_Relay P:ESMTP S:${IP}:unknown H:x F:evil T:victim S:6.6.6.6${FT}`,
      recipient('rejected_no_auth', 'relay_denied'),
    ],
    ['unknown action word', sq('Maybe::RCPT::X', FT), null],
    ['no S: field', 'qmail-smtpd: pid 4242 Accept::RCPT::X P:ESMTP', null],
  ]);
});
