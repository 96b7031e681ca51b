"""Demo data for a fictional county trading centre (青溪县), loaded by `manage.py seed_demo`.

Everything is created through the platform's services, so the demo's ledger is a
real one; a second run finds what is there and changes nothing."""
