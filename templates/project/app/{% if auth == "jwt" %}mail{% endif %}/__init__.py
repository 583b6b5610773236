"""Mail: messages rendered from the templates in app/mail/templates (edit them freely: `name.txt` is the plain
text, `name.html` the HTML part, both Jinja) and sent through SMTP_HOST (README "Mail")."""
