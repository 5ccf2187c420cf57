"""Teaching labs: guided exercises on the bhyve/kvm story (one TOML file per lab)."""
