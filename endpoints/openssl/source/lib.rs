// Empty: this package only exists for cargo fetch (see Cargo.toml).
