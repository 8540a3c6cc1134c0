import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryReason, DeliveryResult } from '../../src/events/events.js';
import { classifyDeliveryReason } from '../../src/classify/delivery-reasons.js';

const cases: { name: string; result: DeliveryResult; report: string; mangled?: boolean; want: DeliveryReason }[] = [
  { name: 'success', result: 'success', report: 'did_0+0+1/', want: 'none' },
  { name: 'report mangled', result: 'deferral', report: '', mangled: true, want: 'report_mangled' },
  { name: 'local: no mailbox', result: 'failure', report: 'Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/', want: 'no_mailbox' },
  {
    name: 'vdelivermail: no mailbox',
    result: 'failure',
    report: 'Sorry,_no_mailbox_here_by_that_name._vpopmail_(#5.1.1)/',
    want: 'no_mailbox',
  },
  {
    name: 'remote 550 unknown local part (FransUrbo sample)',
    result: 'failure',
    report:
      '213.242.147.30_does_not_like_recipient./Remote_host_said:_550_Unknown_local_part_fjkdasljf_in_<fjkdasljf@nocrew.org>/Giving_up_on_213.242.147.30./',
    want: 'no_mailbox',
  },
  {
    name: 'remote 550 5.1.1 user unknown',
    result: 'failure',
    report: '192.0.2.25_does_not_like_recipient./Remote_host_said:_550_5.1.1_<x@example.org>:_Recipient_address_rejected:_User_unknown/Giving_up_on_192.0.2.25./',
    want: 'no_mailbox',
  },
  {
    name: "an IP such as 195.1.1.7 is not a '5.1.1' code",
    result: 'failure',
    report: '195.1.1.7_does_not_like_recipient./Remote_host_said:_550_relaying_denied/Giving_up_on_195.1.1.7./',
    want: 'recipient_rejected',
  },
  {
    name: 'remote 552 mailbox full',
    result: 'failure',
    report: '192.0.2.25_does_not_like_recipient./Remote_host_said:_552_5.2.2_Mailbox_full/Giving_up_on_192.0.2.25./',
    want: 'mailbox_full',
  },
  {
    name: 'remote 452 over quota (deferral)',
    result: 'deferral',
    report: '192.0.2.25_does_not_like_recipient./Remote_host_said:_452_4.2.2_Over_quota/',
    want: 'mailbox_full',
  },
  {
    name: 'remote 550 policy refusal',
    result: 'failure',
    report: '192.0.2.25_does_not_like_recipient./Remote_host_said:_550_5.7.1_Relaying_denied/Giving_up_on_192.0.2.25./',
    want: 'recipient_rejected',
  },
  {
    name: 'sender rejected',
    result: 'deferral',
    report: 'Connected_to_192.0.2.25_but_sender_was_rejected./Remote_host_said:_451_4.7.1_Greylisted/',
    want: 'sender_rejected',
  },
  {
    name: 'Gmail throttling unauthenticated mail is an authentication refusal, not a rate limit',
    result: 'deferral',
    report: "192.0.2.25_failed_after_I_sent_the_message./Remote_host_said:_421-4.7.26_This_mail_has_been_rate_limited_because_it_is_unauthenticated./421-4.7.26_Gmail_requires_all_senders_to_authenticate_with_either_SPF_or_DKIM./",
    want: 'auth_policy',
  },
  {
    name: 'Outlook.com RP-001 hourly limit',
    result: 'deferral',
    report: "Connected_to_192.0.2.25_but_sender_was_rejected./Remote_host_said:_421_RP-001_(BAY004-MC1F41)_Unfortunately,_some_messages_from_192.0.2.7_weren't_sent._Please_try_again._We_have_limits_for_how_many_messages_can_be_sent_per_hour_and_per_day./",
    want: 'rate_limited',
  },
  {
    name: 'Yahoo: all messages permanently deferred',
    result: 'deferral',
    report: 'Connected_to_192.0.2.25_but_greeting_failed./Remote_host_said:_421_4.7.1_[TS03]_All_messages_from_192.0.2.7_will_be_permanently_deferred;_Retrying_will_NOT_succeed./',
    want: 'blocklisted',
  },
  {
    name: 'Gmail: IP not authorized to send directly',
    result: 'failure',
    report: "192.0.2.25_does_not_like_recipient./Remote_host_said:_550-5.7.1_[192.0.2.7]_The_IP_you're_using_to_send_mail_is_not_authorized_to/550-5.7.1_send_email_directly_to_our_servers._Please_use_the_SMTP/550_5.7.1_relay_at_your_service_provider_instead./Giving_up_on_192.0.2.25./",
    want: 'blocklisted',
  },
  {
    name: 'Yahoo 5.7.9 policy (DMARC) refusal',
    result: 'failure',
    report: '192.0.2.25_failed_after_I_sent_the_message./Remote_host_said:_554_5.7.9_Message_not_accepted_for_policy_reasons._See_https://help.yahoo.com/kb/postmaster/SLN7253.html/',
    want: 'auth_policy',
  },
  {
    name: 'Outlook.com OU-002 content refusal',
    result: 'failure',
    report: '192.0.2.25_failed_after_I_sent_the_message./Remote_host_said:_550_OU-002_(SNT004-MC1F18)_Mail_rejected_by_Windows_Live_Hotmail_for_policy_reasons./',
    want: 'spam_rejected',
  },
  {
    name: 'a Domino-style "not listed" recipient refusal is not a listing',
    result: 'failure',
    report: '192.0.2.25_does_not_like_recipient./Remote_host_said:_550_5.1.1_<x@example.org>..._User_not_listed_in_public_Name_&_Address_Book/Giving_up_on_192.0.2.25./',
    want: 'no_mailbox',
  },
  {
    name: 'SMTP AUTH required is a sender refusal, not an authentication policy',
    result: 'failure',
    report: 'Connected_to_192.0.2.25_but_sender_was_rejected./Remote_host_said:_530_5.7.57_Client_not_authenticated_to_send_mail./',
    want: 'sender_rejected',
  },
  {
    name: 'failed on DATA',
    result: 'failure',
    report: '192.0.2.25_failed_on_DATA_command./Remote_host_said:_554_5.7.1_Message_size_exceeds_fixed_limit/',
    want: 'message_rejected',
  },
  {
    name: 'failed on DATA, judged spam (the reply decides, not the stage)',
    result: 'failure',
    report: '192.0.2.25_failed_on_DATA_command./Remote_host_said:_554_5.7.1_spam/',
    want: 'spam_rejected',
  },
  {
    name: 'greeting refused as blocklisted is not a connection failure',
    result: 'deferral',
    report: 'Connected_to_192.0.2.25_but_greeting_failed./Remote_host_said:_421_4.7.0_Client_host_[192.0.2.7]_blocked_using_zen.spamhaus.org/',
    want: 'blocklisted',
  },
  {
    name: 'message too old wins over the blocklisting text of the last attempt',
    result: 'failure',
    report:
      'Connected_to_192.0.2.25_but_greeting_failed./Remote_host_said:_554_blocked_using_zen.spamhaus.org/I\'m_not_going_to_try_again;_this_message_has_been_in_the_queue_too_long./',
    want: 'message_too_old',
  },
  {
    name: "qmail-remote's own words are not the remote server's (a host named blacklist.example)",
    result: 'failure',
    report: "Sorry,_I_couldn't_find_any_host_named_blacklist.example._(#5.1.2)/",
    want: 'host_not_found',
  },
  {
    name: 'failed after the message',
    result: 'failure',
    report: '192.0.2.25_failed_after_I_sent_the_message./Remote_host_said:_554_5.7.1_Message_rejected/',
    want: 'message_rejected',
  },
  {
    name: 'no SMTP connection',
    result: 'deferral',
    report: "Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/",
    want: 'connection_failed',
  },
  { name: 'connection died', result: 'deferral', report: 'Connected_to_192.0.2.25_but_connection_died._(#4.4.2)/', want: 'connection_failed' },
  {
    name: 'greeting failed',
    result: 'deferral',
    report: 'Connected_to_192.0.2.25_but_greeting_failed./Remote_host_said:_421_busy/',
    want: 'connection_failed',
  },
  { name: 'host not found (#5.1.2)', result: 'failure', report: "Sorry,_I_couldn't_find_any_host_named_nowhere.example._(#5.1.2)/", want: 'host_not_found' },
  { name: 'host lookup failed temporarily (#4.1.2)', result: 'deferral', report: "Sorry,_I_couldn't_find_any_host_by_that_name._(#4.1.2)/", want: 'dns_temporary' },
  { name: 'no MX or IP, permanent', result: 'failure', report: "Sorry,_I_couldn't_find_a_mail_exchanger_or_IP_address._(#5.4.4)/", want: 'host_not_found' },
  { name: 'CNAME lookup failed', result: 'deferral', report: 'CNAME_lookup_failed_temporarily._(#4.4.3)/', want: 'dns_temporary' },
  {
    name: 'too long in the queue wins over the last deferral text',
    result: 'failure',
    report: "Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/I'm_not_going_to_try_again;_this_message_has_been_in_the_queue_too_long./",
    want: 'message_too_old',
  },
  { name: 'qmail-local Unable_to', result: 'deferral', report: 'Unable_to_open_.qmail_file._(#4.3.0)/', want: 'local_error' },
  { name: 'qmail-local Uh-oh', result: 'deferral', report: 'Uh-oh:_.qmail_has_prog_delivery_but_has_x_bit_set._(#4.7.0)/', want: 'local_error' },
  { name: 'maildir temporary error', result: 'deferral', report: 'Temporary_error_on_maildir_delivery._(#4.3.0)/', want: 'local_error' },
  { name: 'local quota', result: 'deferral', report: 'user_is_over_quota/', want: 'mailbox_full' },
  { name: 'a remote timeout', result: 'deferral', report: 'Connected_to_192.0.2.25_but_connection_timed_out/', want: 'connection_failed' },
  { name: 'anything else', result: 'failure', report: 'Something_odd_happened./', want: 'other' },
];

for (const c of cases) {
  test(`delivery reason: ${c.name}`, () => assert.equal(classifyDeliveryReason(c.result, c.report, c.mangled ?? false), c.want));
}
