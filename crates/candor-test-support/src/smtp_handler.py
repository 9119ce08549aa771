# aiosmtpd handler for candor's tests and .ci/e2e: each accepted message is
# written, decoded, as NNNNNN.json in the output directory; recipients ending
# in the optional `reject` suffix are refused with a 550.
import email, email.policy, json, os

class Handler:
    def __init__(self, out, reject=""):
        self.out, self.reject, self.n = out, reject, 0

    @classmethod
    def from_cli(cls, parser, out, reject=""):
        return cls(out, reject)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address.endswith(self.reject):
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(("plain",))
        doc = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "content_type": msg.get_content_type(),
            "text": body.get_content() if body is not None else None,
        }
        path = os.path.join(self.out, "%06d.json" % self.n)
        with open(path + ".tmp", "w") as f:
            json.dump(doc, f)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"
