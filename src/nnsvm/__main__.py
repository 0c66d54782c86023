from nnsvm.cli import entry

entry()
