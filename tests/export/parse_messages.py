"""Reads RFC 5322 files with Python's own email package (an independent MIME parser) and
prints, per file, what a mail program would show: decoded subject, Message-ID, date, the
plain-text body, attached file names and sizes, and any defects the parser found."""
import email
import email.policy
import email.utils
import json
import sys

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    defects = [type(d).__name__ for d in msg.defects]
    for part in msg.walk():
        defects += [type(d).__name__ for d in part.defects]
    date = msg["Date"]
    body = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    out.append({
        "path": path,
        "subject": str(msg["Subject"]) if msg["Subject"] is not None else None,
        "message_id": str(msg["Message-ID"]) if msg["Message-ID"] is not None else None,
        "date": int(email.utils.parsedate_to_datetime(str(date)).timestamp()) if date else None,
        "from": str(msg["From"]) if msg["From"] is not None else None,
        "received": len(msg.get_all("Received") or []),
        "text": body.get_content() if body is not None else None,
        "has_html": html is not None and html.get_content_type() == "text/html",
        "attachments": [
            [p.get_filename(), len(p.get_payload(decode=True) or b"")]
            for p in msg.iter_attachments()
        ],
        "defects": defects,
    })
json.dump(out, sys.stdout)
