import { describe } from 'node:test';
import { auth, IGNORED, IP, table } from './qmail-smtpd-cases.js';

describe('qmail-smtpd: the logging patch (ignored)', () => {
  table([
    ['logging patch: read failed', `qmail-smtpd: read failed (timeout): info@example.com from ${IP} to bob@example.net helo laptop`, IGNORED],
    ['logging patch: reject', `qmail-smtpd: reject (auth not available): info@example.com from ${IP} to  helo laptop`, IGNORED],
    ['logging patch (eQmail): message accepted', `qmail-smtpd: message accepted: info@example.com from ${IP} to bob@example.net helo laptop`, IGNORED],
    ['GREETDELAY', `qmail-smtpd: GREETDELAY from ${IP}: client sent data before greeting`, IGNORED],
  ]);
});
