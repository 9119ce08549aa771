# The privacy center's words, in English. Every message here must also be
# in es/privacy.ftl (a test holds them to it). Plain language: a legal term
# gets an explanation beside it.

site-name = Privacy center
skip-to-content = Skip to the content
language = Language
sign-out = Sign out
footer-controller = Your data is looked after by { $controller }. Questions about it:

## Signing in
sign-in-title = See and manage your data
sign-in-intro = Enter the e-mail address you gave us. We will send you a code to sign in with: no password to remember.
sign-in-email = Your e-mail address
sign-in-send = Send me a code
sign-in-why = We ask for a code so that nobody else can see your data. If the address is not one we hold, no message is sent, and this page cannot tell anyone whether you are our customer.
code-title = Enter your code
code-sent = If the address is one we hold, a code is on its way. It works for a few minutes and only once.
code-printed = This installation sends no e-mail: the code was given to the operator, who can pass it on.
code-label = Your code
code-submit = Sign in
code-again = Ask for a new code
code-wrong = That code is wrong or has expired. Check it, or ask for a new one.

## Problems
error-title = Something went wrong
error-back = Back to the privacy center
error-unauthenticated = Your session has ended. Please sign in again.
error-forbidden = This page could not accept the form. Reload the page and try again.
error-not-found = We could not find that.
error-too-many = Too many attempts from here. Wait a minute and try again.
error-invalid = We could not use what was sent: { $detail }
error-busy = We are busy right now. Please try again in a moment.
error-internal = We could not complete this. Nothing you did caused it; please try again later.
error-erased = We deleted your data as you asked. There is nothing left to show here.

## Requests: a copy of your data, a correction, deletion
back-to-dashboard = Back to your data
nav-requests = Download, correct or delete your data
requests-title = Download, correct or delete your data
requests-intro = You can ask for a copy of your data, ask us to correct it, or ask us to delete it. The law gives us a deadline for each request, and you can follow each one here.
requests-yours = Your requests
requests-none = You have not asked for anything yet.
request-what = Request
request-opened = Asked on
request-state = Where it stands
request-due = We must answer by
request-copy = Your copy
request-download = Download (zip)
request-extended = We need more time: { $reason }
request-kind-access = A copy of your data
request-kind-portability = Your data, to take elsewhere
request-kind-erasure = Delete your data
request-kind-rectification = Correct your data
request-kind-restriction = Limit how we use your data
request-kind-objection = Stop a use of your data
request-kind-opt-out-sale-share = Stop the selling and sharing of your data
request-kind-limit-sensitive-use = Limit the use of your sensitive data
request-state-received = Received
request-state-verified = Received; we are working on it
request-state-in-progress = In progress
request-state-completed = Done
request-state-rejected = Refused
requests-done-access = We received your request for a copy of your data. When it is ready you can download it here, and we tell you by e-mail.
requests-done-portability = We received your request for your data to take elsewhere. When it is ready you can download it here, and we tell you by e-mail.
requests-done-rectification = We received your correction. We tell you by e-mail when your data is corrected.
requests-done-erasure = We received your request to delete your data. We tell you by e-mail when it is done.
requests-done-already = You asked for this already, and we are still handling it: it is listed below with its deadline. Once it is done you can ask again.
copy-title = Get a copy of your data
copy-intro = A copy to read shows everything we hold about you and how we use it. A copy to take elsewhere holds the data you gave us in formats other services can read.
copy-access = Ask for a copy to read
copy-portability = Ask for a copy to take elsewhere
copy-hint = The copy is one zip file: a summary in plain words, your data as tables (CSV) and as JSON, and a list of every file with its checksum, so you can tell that nothing was changed.
correct-title = Correct your data
correct-intro = Fill in only what is wrong, with the right value. Leave the rest empty.
correct-send = Ask for this correction
correct-invalid = We could not use this correction: { $detail }
correct-too-long = A value is too long: keep each one under 254 characters.
delete-title = Delete your data
delete-intro-short = You can ask us to delete everything we hold about you.
delete-see = See what would be deleted, and what we must keep
delete-intro = Before you ask, here is what deleting your data means.
delete-goes = What we delete
delete-messages = Your messages to us ({ $count })
delete-goes-choices = Your choices and their history, and the key that encrypts your data
delete-stays = What we must keep, and why
delete-no-holds = No law requires us to keep any of your data at the moment.
delete-holds-intro = A law requires us to keep some of your data for a while (this is called a legal hold). We keep it locked away, use it only for that reason, and delete it when the time is over.
hold-why = Why
hold-what = What we keep
hold-until = Until
hold-reason = In our words
delete-always-kept = We also keep a record that we deleted your data and of who used it, under a code instead of your name, so that we can prove we respected the law (GDPR article 5(2) asks us to be able to show it); and a one-way fingerprint of your contact details, so that your data does not come back with a later import.
delete-ask = Ask us to delete your data
delete-what-next = When you ask, we confirm by e-mail and delete your data within the legal deadline. Afterwards you cannot sign in here, because we no longer know you.
delete-confirm = Delete my data
delete-pending = You asked on { $opened }. Where it stands: { $state }. We must answer by { $due }.
delete-follow = Follow your request
receipt-download = Signed receipt of this choice
receipt-download-label = Download the signed receipt of your choice about { $purpose }

## Allowing the selling or sharing of your data despite an opt-out
gpc-confirm-title = Allow the selling or sharing of your data?
gpc-confirm-gpc = Your browser sends a Global Privacy Control signal, which asks us not to sell or share your data. Allowing “{ $purpose }” counts as selling or sharing under Californian law.
gpc-confirm-opted-out = You opted out of the selling and sharing of your data. Allowing “{ $purpose }” counts as selling or sharing under Californian law.
gpc-confirm-explain = If you allow it, your own choice applies instead of the opt-out until you change it. We keep both, the opt-out and your choice, with their dates.
gpc-confirm-yes = Yes, allow it
gpc-confirm-no = No, keep my opt-out
sale-on-explicit = Your browser sends a Global Privacy Control signal, which asks us not to sell or share your data. On { $date } you chose to allow it anyway: your own choice applies until you change it.

## The dashboard
dashboard-title = Your data
dashboard-intro = Here you can see what we hold about you and why, and change what you allow.
held-title = What we hold about you
held-intro = These are the details we keep about you. They are stored encrypted, with a key that is yours alone.
held-nothing = We hold no contact details or profile for you.
held-what = What
held-value = What we hold
held-kind = Kind of data
held-from = Where it came from
held-kept = How long we keep it
held-kept-intro = We keep each detail as long as the uses of your data that need it, counted from your last contact with us; if you are in touch again, the date moves on. A detail no use needs any more can be deleted at your request.
kept-until = until { $date }, for: { $purposes }
kept-unused = No use of your data needs this now. You can ask us to delete it.
source-platform = From your posts and messages on { $platform }
source-crm = From our customer records (CRM)
source-staff = Entered by our staff
source-correction = Changed at your request
source-unrecorded = Not recorded: we stored it before we kept track of sources
messages-title = Your messages
messages-intro = We keep what you wrote to us or about us on social media. Personal details in it, such as phone numbers, are hidden from staff whose work does not need them.
messages-nothing = We hold no messages from you.
messages-where = Where
messages-count = How many
messages-period = When
messages-period-value = { $first } to { $last }
choices-title = What we use your data for, and your choices
choices-intro = Each use of your data is listed with the reason the law allows it. Where the choice is yours, one button changes it, and you can change it back at any time.
purpose-basis = Why we may
purpose-reads = Data it uses
purpose-kept = How long
purpose-kept-days = at most { $days } days
purpose-now = Now
purpose-no-choice = The law lets us do this without asking, for the reason above. You can still ask us to restrict it or raise a concern.

## Legal bases, each with its explanation
basis-consent = Your consent
basis-consent-explained = We only do this if you say yes, and you can withdraw at any time.
basis-contract = Our contract with you
basis-contract-explained = We need this to provide what you asked us for.
basis-legal-obligation = A legal obligation
basis-legal-obligation-explained = A law requires us to do this.
basis-vital-interests = Vital interests
basis-vital-interests-explained = This protects someone's life or health.
basis-public-task = A public task
basis-public-task-explained = This is part of a task carried out in the public interest.
basis-legitimate-interests = Our legitimate interest
basis-legitimate-interests-explained = We may do this without asking, because it is reasonable and expected; you have the right to object, and we then stop.

## Where each purpose stands
status-granted = On: you agreed on { $date }.
status-withdrawn = Off: you withdrew your consent on { $date }.
status-objected = Off: you objected on { $date }.
status-allowed-again = On: you allowed it again on { $date }.
status-off-until-asked = Off: we do not do this unless you agree.
status-on-until-objected = On, unless you object.
status-needed = On: needed for the reason above.
status-paused = Off for now, because of another choice of yours (for example, a restriction you asked for).

## Choices
action-grant = Agree
action-withdraw = Withdraw consent
action-object = Object
action-allow-again = Allow again
notice-grant = Done: you agreed to “{ $purpose }”.
notice-withdraw = Done: you withdrew your consent to “{ $purpose }”. We stop at once.
notice-object = Done: you objected to “{ $purpose }”. We stop at once.

## Your details, in words
field-email = E-mail address
field-phone = Phone number
field-name = Name
field-customer-number = Customer number
field-handle = Account on { $platform }
field-account = Account number on { $platform }
field-other = Other detail ({ $field })

## Kinds of data (the most specific one written here is used)
category-user = Information about you
category-user-account = Your account
category-user-account-username = Your user name
category-user-authorization = Sign-in details
category-user-behavior = What you did with us
category-user-behavior-purchase-history = What you bought
category-user-biometric = Biometric data
category-user-childrens = Data about children
category-user-contact = Contact details
category-user-contact-email = E-mail address
category-user-contact-phone-number = Phone number
category-user-contact-address = Postal address
category-user-content = What you wrote
category-user-content-public = What you posted publicly
category-user-content-private = Your private messages
category-user-criminal-history = Criminal records
category-user-demographic = Facts about you
category-user-demographic-language = Your language
category-user-device = Your device
category-user-financial = Financial details
category-user-government-id = Official identity numbers
category-user-health-and-medical = Health information
category-user-job-title = Job title
category-user-location = Where you are
category-user-location-imprecise = Your rough location
category-user-name = Your name
category-user-payment = Payment details
category-user-privacy-preferences = Your privacy choices
category-user-sensor = Sensor data
category-user-social = Social connections
category-user-telemetry = Usage measurements
category-user-unique-id = Identifiers we give you
category-user-user-sensor = Sensor data
category-user-workplace = Workplace

## Who has seen your data
saw-title = Who has seen your data
saw-intro = Every time someone opens your data it is written in a log that cannot be changed afterwards. Here is what it says about you, newest first. Staff are shown by their job, not their name.
saw-nothing = Nobody has opened your data yet.
saw-when = When
saw-who = Who
saw-what = What they did
saw-why = For
reader-operator = Our systems, or staff running them
role-agent = A customer-service agent
role-analyst = An analyst
role-marketer = A marketer
role-compliance = Our privacy team
role-admin = An administrator
deed-access-allowed = read your data
deed-access-denied = asked to read your data and was refused
deed-analytics-drill = opened one of your conversations from an analysis
deed-rights = handled a request of yours
deed-consent = recorded a choice for you
deed-subject = updated your details
deed-outbox = sent you a message
deed-export = prepared a copy of your data
deed-erase = erased your data
deed-hold = placed or lifted a legal hold on your data
deed-other = did something with your data ({ $action })

## Who receives your data
received-title = Who receives your data
received-intro = We share data only with these organisations, under a written agreement, and only for the use named.
received-nothing = We do not share your data with anyone.
received-who = Who
received-for = For
received-what = Data it receives
received-agreement = Agreement
received-now = Now
received-on = Yes: your choices allow it.
received-off = No: your choices stop it.
agreement-valid = { $reference }, in force from { $from } to { $until }

## Sale and sharing (CCPA), and Global Privacy Control
sale-title = Selling and sharing your data
sale-none = We do not sell your data, and we do not share it for advertising on other sites.
sale-on = Some uses above count as selling or sharing your data under Californian law (for advertising on other sites). You can opt out of all of them at once.
sale-off = You opted out of the selling and sharing of your data on { $date }.
sale-off-gpc = You opted out of the selling and sharing of your data: your browser's Global Privacy Control signal told us so on { $date }.
sale-opt-out = Opt out of selling and sharing
gpc-seen = Your browser is sending a Global Privacy Control signal. We treat it as your request to opt out of selling and sharing, and we have recorded it.
notice-opt-out-sale-share = Done: you opted out of the selling and sharing of your data.

## Questions and concerns (/privacy/concerns)
concerns-link-title = Ask a question or raise a concern
concerns-link-intro = Write to our privacy team about anything to do with your data. We answer within one calendar month, here and by e-mail.
concerns-link = Ask a question or raise a concern
concerns-title = Ask a question or raise a concern
concerns-intro = Write to our privacy team about anything to do with your data: how we use it, a choice you made, something that worries you. We answer within one calendar month. You can read the answer on this page, and we also send it to your e-mail address.
concerns-back = Back to your data
concerns-ask = Your question or concern
concerns-message = What would you like to ask or tell us?
concerns-message-hint = Up to { $max } characters. Please do not write passwords or card numbers.
concerns-send = Send to the privacy team
concerns-sent = Sent. We have written down the date by which we will answer, below.
concerns-yours = What you have asked us
concerns-none = You have not asked us anything yet.
concerns-raised = Sent on { $date }
concerns-state = Where it stands
concerns-state-open = Waiting for our answer
concerns-state-answered = Answered
concerns-state-closed = Closed
concerns-due = We answer by
concerns-reference = Reference
concerns-you-wrote = You wrote:
concerns-answer = Our answer, of { $date }:
concerns-no-answer-yet = We have not answered yet.
concerns-error-empty = Please write your question or concern: the message is empty. Nothing was sent.
concerns-error-too-long = Your message is { $chars } characters long; please shorten it to at most { $max }. Nothing was sent.
concerns-error-control = Your message holds a character we cannot accept (character { $position }). Please remove it and send again. Nothing was sent.
concerns-error-form = We could not read the form. Please write your message again. Nothing was sent.
concerns-too-many = { $count } of your questions or concerns are still waiting for our answer. We answer those first; then you can send more.
deed-concern = handled a question or concern of yours

## What changed: the policy's versions, the banner asking to renew consent
nav-label = Privacy center
nav-dashboard = Your data
nav-changes = What changed
renew-label = Consent to renew
renew-banner = We changed how we use your data for { $purposes }: your earlier consent no longer applies until you renew it.
renew-see-changes = See what changed
renew-button = Renew my consent to “{ $purpose }”
changes-title = What changed
changes-intro = Every version of our policy on how we use your data, newest first, with what changed in it. We tell you by e-mail about every important change, and where a change needs your consent again, we stop that use of your data until you give it.
changes-version = Version { $version }, published on { $date }
changes-first = The first version we published.
changes-none = Nothing that concerns your data changed.
changes-nothing = No policy has been published yet.
changes-material = Important
changes-minor = Minor
change-controller = Our name or our contact details changed.
change-collects-more = We now also collect: { $categories }.
change-collects-less = We no longer collect: { $categories }.
change-new-purpose = A new use of your data: “{ $purpose }” (legal basis: { $basis }).
change-purpose-removed = We stopped using your data for “{ $purpose }”.
change-basis = “{ $purpose }” now relies on “{ $to }” instead of “{ $from }”.
change-reads-more = “{ $purpose }” now also uses: { $categories }.
change-reads-less = “{ $purpose }” no longer uses: { $categories }.
change-retention-longer = “{ $purpose }”: we now keep your data for { $days } days instead of { $before }.
change-retention-shorter = “{ $purpose }”: we now keep your data for { $days } days instead of { $before }.
change-recipient = “{ $purpose }” now shares your data with { $to ->
        [none] nobody
       *[other] { $to }
    } instead of { $from ->
        [none] nobody
       *[other] { $from }
    }.
change-ccpa = { $to ->
        [sale] “{ $purpose }” now counts as selling your data under Californian law.
        [share] “{ $purpose }” now counts as sharing your data for advertising under Californian law.
       *[none] “{ $purpose }” no longer counts as selling or sharing your data under Californian law.
    }
change-default = { $to ->
        [opt_out] “{ $purpose }” now runs until you object, instead of waiting for your consent.
        [opt_in] “{ $purpose }” now waits for your consent.
       *[not_applicable] “{ $purpose }” no longer depends on your choice.
    }
change-wording = We reworded how we describe “{ $purpose }”.
change-hold-added = Data kept for “{ $purpose }” may now be held for legal claims.
change-hold-removed = Data kept for “{ $purpose }” is no longer held for legal claims.
change-special-condition = The condition under which “{ $purpose }” may use health or other sensitive data changed.
change-recipient-new = A new organisation may receive your data: { $recipient } ({ $country }).
change-recipient-country = { $recipient } now handles your data in { $country }.
change-agreement-wider = Our agreement with { $recipient } now also covers: { $categories }.
change-agreement-dates = Our agreement with { $recipient } is now in force from { $from } to { $until }.
change-recipient-removed = We no longer share your data with { $recipient }.
change-roles = Which of our teams may use your data for which purpose changed.
status-renew = Off until you renew your consent: we changed this use of your data since you gave it.
action-renew = Renew consent
