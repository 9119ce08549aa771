# The staff console's words, in English. Every message here must also be
# in es/console.ftl (a test holds them to it). Messages shared with the
# privacy center (sign-out, codes, language) live in privacy.ftl.

console-name = Staff console
console-footer = candor staff console. What you read or change of customers' data here, and every original text you show, is recorded in the audit log.
console-nav-label = Console pages
console-signed-in-as = Signed in as { $actor } ({ $roles })
console-back = Back to the console
console-role-agent = agent
console-role-analyst = analyst
console-role-marketer = marketer
console-role-compliance = compliance
console-role-admin = administrator
console-nav-dashboard = Dashboard
console-nav-conversations = Conversations
console-nav-requests = Rights requests
console-nav-concerns = Concerns
console-nav-policy = Policy
console-nav-recipients = Recipients
console-nav-staff = Staff
console-nav-audit = Audit log
console-nav-training = Training
console-training-lapsed-banner = Your privacy training is not current: pages with personal data stay closed until you pass the quiz.

## Signing in
console-sign-in-title = Sign in to the staff console
console-sign-in-intro = Sign in with a passkey where this installation offers them, with a code sent to your work e-mail address (your staff id), or with an API token from `candor actor token`.
console-sign-in-by-code = With a code by e-mail
console-sign-in-actor = Your staff id
console-sign-in-actor-needed = Enter your staff id (your work e-mail address).
console-sign-in-by-token = With an API token
console-sign-in-token = API token
console-sign-in-token-hint = The session ends when the token expires or is revoked. The token is not stored in your browser.
console-token-wrong = That token is unknown, expired or revoked.
console-code-sent = If the id is a staff member's e-mail address, a code is on its way. It works for 30 minutes and only once.
console-code-printed = This installation sends no e-mail: the code is in the outbox (`candor outbox`), or was printed by `candor demo`.

## Problems
console-error-title = This could not be done
console-error-unauthenticated = Your session has ended. Sign in again.
console-error-forbidden = Your role may not use this page or action.
console-error-not-found = Not found.
console-error-conflict = This is already being handled.
console-error-too-many = Too many attempts from here. Wait a minute and try again.
console-error-invalid = What was sent could not be used.
console-error-busy = The server is busy. Try again in a moment.
console-error-internal = Something failed on the server. It is in the server's log.

## Shared words
filters = Filters
filter-from = From
filter-to = To
filter-platform = Platform
filter-account = Brand account
filter-epsilon = Privacy budget ε (optional)
filter-epsilon-hint = Leave ε empty for exact figures. With ε, figures carry differential-privacy noise and each chart spends ε from your monthly budget.
filter-apply = Apply
overdue = Overdue
in-force = in force
not-in-force = not in force
suppressed = hidden (too few customers)
col-due = Due
col-request = Request
col-regime = Law
col-state = State
col-received = Received
col-customer = Customer (pseudonym)
col-open = Read
col-recipient = Recipient
col-agreement = Agreement
col-valid = Valid
col-purposes = Purposes
col-categories = Data categories
col-transfer = Transfer safeguard
col-actor = Staff member
col-roles = Roles
col-training = Training
col-when = When
col-action = Action
col-pseudonym = Subject pseudonym
col-purpose = Purpose
col-decision = Decision
col-messages = Messages
col-mean-sentiment = Mean sentiment
col-conversations = Conversations
col-answered = Answered
col-service-level = Within target
col-first-response-median = First response (median)
col-first-response-p90 = First response (90th percentile)
col-phrase = Phrase
col-customers = Customers
col-rise = Rise in share

## Dashboard
console-dashboard-intro = Customer-care figures over the customers whose consent or our legitimate interest allows analytics today. Groups with too few customers are hidden.
chart-sentiment-time = Sentiment per week and platform
chart-sentiment-theme = Sentiment per theme
chart-themes = Messages per theme
chart-volume = Customer messages per week
chart-messages = messages
chart-mean-sentiment = mean sentiment (−1 … +1)
dim-week = Week
dim-day = Day
dim-month = Month
dim-platform = Platform
dim-theme = Theme
dim-account = Brand account
dim-language = Language
figures-show = Show the figures
figures-none = Nothing to show for this period.
figures-note = Groups of fewer than { $k } customers are hidden; { $excluded } customers' choices keep them out of these figures.
figures-dp = Differential privacy: ε { $epsilon } spent; { $left } left this month.
accounts-title = First response and service level per brand account
emerging-title = Emerging phrases
emerging-note = Phrases more customers used from { $from } to { $to } than in the period before; a phrase fewer than { $k } customers used is never shown.

## Conversations
conversations-intro = A customer's messages across platforms, newest first, with personal data redacted. Showing an original asks for a purpose and a reason; the customer sees that it was shown.
conversations-find = Find a customer
conversations-customer = E-mail, handle (x:@name) or customer id
conversations-purpose = Purpose
conversations-show = Show messages
conversations-of = Messages of customer { $subject }
conversations-none = No messages.
conversations-nobody = No customer matches.
conversations-denied = The access gate refused: { $reason }
conversations-reveal = Show the original text…
conversations-reason = Why you need the original
conversations-reason-hint = 5 to 300 characters. It goes to the audit log: do not write the customer's details in it.
conversations-reveal-button = Show the original
conversations-original = Original text (shown to you once, recorded)
conversations-revealed = The original is shown below. The showing is in the audit log and in the customer's privacy center.
kind-mention = mention
kind-reply = reply
kind-direct-message = direct message
kind-comment = comment
kind-review = review

## Rights requests
requests-queue-intro = Open requests, the nearest deadline first. The law sets each deadline: one month under the GDPR (extendable by two), 45 days under the CCPA (extendable by 45).
requests-queue-empty = No open requests.
requests-back = Back to the requests
request-history = History
request-history-received = Received { $at }
request-history-verified-code = Identity verified with a one-time code
request-history-verified-staff = Identity verified by { $actor }: { $reason }
request-history-extended = Deadline extended { $at }: { $reason }
request-history-rejected = Refused: { $reason }
request-report = Report
report-deleted = Deleted { $n } { $what } ({ $category })
report-exported = Exported { $n } { $what } ({ $category })
report-kept = Kept { $category } for { $purpose }: { $why }
report-notified = Told { $recipient } (GDPR Art. 19)
request-act = Act on it
request-verify-reason = How you verified the customer's identity
request-verify = Mark verified
request-confirm = I have checked this request and want to carry it out now; it cannot be undone.
request-execute = Carry it out
request-extend-reason = Why more time is needed (the customer is told)
request-extend = Extend the deadline
request-reject-reason = Why it is refused (the customer is told)
request-reject = Refuse
request-done-verify = Marked verified.
request-done-extend = Deadline extended; the customer is told.
request-done-reject = Refused; the customer is told.
request-done-execute = Carried out; the customer is told.

## Concerns
concerns-queue-intro = Questions and concerns customers raised in the privacy center, the nearest due date first. Reading one is recorded.
concerns-queue-empty = No open concerns.
concern-state-open = open
concern-state-answered = answered
concern-state-closed = closed
concern-read = Read and answer
concern-opened = The customer wrote
concern-message = Message
concern-answer = Our answer
concern-answer-label = Your answer (mailed to the customer)
concern-answer-send = Send the answer
concern-close = Close
concern-done-answer = Answer sent to the customer.
concern-done-close = Closed.

## Policy
policy-versions = Published versions
policy-version = Version { $version }, published { $at }
policy-first = The first version.
policy-material = material
policy-minor = minor
policy-upload = Publish a new version
policy-upload-intro = Upload the policy file (TOML). It is checked and compared with the version in force before anything is published.
policy-file = Policy file
policy-check = Check
policy-pending = What publishing this file changes
policy-no-change = Nothing changes against the version in force.
policy-stale = { $n } customers' consent becomes outdated (purposes: { $purposes }). They are told, and their consent no longer counts until they give it again.
policy-publish = Publish
policy-published = Published version { $version }; { $notices } customers notified.
policy-same = This file is version { $version } already; nothing was published.

## Recipients, staff, audit
recipients-intro = Third parties data may be shared with under the policy in force, with their sharing agreements.
recipients-none = The policy names no recipients.
staff-intro = Staff members and API clients, their roles, and until when their privacy training counts.
staff-trained-until = Trained until { $date }
staff-training-lapsed = Lapsed on { $date }
staff-untrained = Not trained
audit-intro = Every decision about personal data, newest first. Customers appear only by pseudonym.
audit-verify = Verify the chain
audit-intact = The chain is intact: { $entries } entries, { $checkpoints } signed checkpoints.
audit-tampered = The chain is broken: { $problem }
audit-none = No entries match.

## Training
training-chapters = Chapters
training-current = Your training counts until { $date }.
training-expired = Your training lapsed on { $date }.
training-none = You have no training on record.
training-lapsed-intro = Read the course and pass the quiz to open the pages with personal data again.
quiz-title = Quiz
quiz-intro = Answer every question; { $mark } % right is a pass.
quiz-submit = Hand in
quiz-outcome = Your result
quiz-passed = Passed: { $correct } of { $total } right. Your training counts until { $until }.
quiz-failed = Not passed: { $correct } of { $total } right. Read the chapters again and retry.
quiz-right-answer = Right answer: { $answer }.
figures-exact = These figures are exact: differential privacy applies to the analytics charts above, not to them.
emerging-unfiltered = They cover every platform and brand account.
chart-suppressed = { $n } groups hidden: fewer than { $k } customers, or recoverable from a total.

## Passkeys
console-nav-passkeys = Passkeys
console-sign-in-by-passkey = With a passkey
console-passkey-sign-in = Sign in with a passkey
console-passkey-failed = The passkey could not be used:
console-passkey-refused = That passkey was not accepted. Try again, or sign in another way.
passkeys-intro = A passkey signs you in with your device's lock (fingerprint, face or PIN) instead of a code. It stays on your device; candor keeps only its public key. You can register several and remove any.
passkeys-none = You have no passkeys yet.
passkeys-need-script = Registering a passkey needs JavaScript and a browser with passkeys; signing in by code or token works without them.
passkeys-off = This installation offers no passkeys: they need `server.public_url` to name a host (for example https://care.example.com, or http://localhost on this machine), never an IP address.
passkey-added = The passkey is registered. You can sign in with it from now on.
passkey-add-title = Register a passkey
passkey-label = A name for it (optional)
passkey-add = Register a passkey
passkey-remove = Remove
passkey-never-used = Never
col-passkey = Passkey
col-registered = Registered
col-last-used = Last used
passkeys-elsewhere = Passkeys work only at this installation's own address:
