import { describe } from 'node:test';
import { IP, rbl, table } from './qmail-smtpd-cases.js';

describe('qmail-smtpd: qmail-dnsbl', () => {
  table([
    [
      'observed (fail2ban qmail sample): 421 badiprbl',
      'qmail-smtpd: 421 badiprbl: ip 198.51.100.54 rbl: example.com',
      rbl('421', '198.51.100.54'),
    ],
    ['IPv6 client', 'qmail-smtpd: 421 badiprbl: ip 2001:db8::25 rbl: zen.example.org', rbl('421', '2001:db8::25')],
    ['no rbl field', `qmail-smtpd: 421 badiprbl: ip ${IP}`, null],
  ]);
});
