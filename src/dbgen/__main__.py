from dbgen.cli import app

app(prog_name="dbgen")
