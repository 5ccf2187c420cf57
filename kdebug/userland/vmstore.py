"""vmadm's configuration store: one SQLite database, ``vmadm.sqlite`` in the state directory.

It is the host's only durable state: every VM's configuration as a JSON
object, keyed by UUID.  Each change is one transaction.  A new store starts
with the post's two VMs (CONVENTIONS.md "The default host").
"""

from __future__ import annotations

import json
import os
import sqlite3

__all__ = ["VMStore", "StoreError", "DEFAULT_VMS", "TEST_UUID", "KVM_UUID"]


class StoreError(Exception):
    """The store's file cannot be used; ``str()`` is "FILE: reason", one line."""

TEST_UUID = "79062669-e229-e55d-960d-9b18d0fed8d0"
KVM_UUID = "57409636-927a-cc7a-d744-e0f92b73f4e4"
BHYVE_MEM_OVERHEAD = 1024 + 256
KVM_MEM_OVERHEAD = 1024


def _nic(ip: str, mac: str) -> dict:
    return {"interface": "net0", "mac": mac, "nic_tag": "admin", "gateway": "10.88.88.2", "netmask": "255.255.255.0",
            "ip": ip, "model": "virtio", "primary": True}


def default_vm(uuid: str, alias: str, brand: str, ram: int, did: int, ip: str, mac: str, created: str) -> dict:
    overhead = BHYVE_MEM_OVERHEAD if brand == "bhyve" else KVM_MEM_OVERHEAD
    return {
        "uuid": uuid, "alias": alias, "brand": brand, "ram": ram, "vcpus": 1, "autoboot": False,
        "max_physical_memory": ram + overhead, "max_locked_memory": ram + overhead, "max_swap": ram + overhead,
        "max_lwps": 2000, "cpu_shares": 100, "zfs_io_priority": 100, "quota": 10,
        "owner_uuid": "00000000-0000-0000-0000-000000000000", "billing_id": "00000000-0000-0000-0000-000000000000",
        "create_timestamp": created, "zonename": uuid, "zonepath": f"/zones/{uuid}", "zpool": "zones",
        "resolvers": ["8.8.8.8"], "nics": [_nic(ip, mac)],
        "disks": [{"path": f"/dev/zvol/rdsk/zones/{uuid}/disk0", "boot": True, "model": "virtio", "media": "disk",
                   "size": 10240, "zfs_filesystem": f"zones/{uuid}/disk0", "zpool": "zones"}],
        "zone_did": did,
    }


DEFAULT_VMS = [
    default_vm(TEST_UUID, "test", "bhyve", 2048, 49, "10.88.88.50", "72:9c:d5:4a:0b:0e", "2018-03-19T22:14:07.000Z"),
    default_vm(KVM_UUID, "kvm-debian8", "kvm", 1024, 48, "10.88.88.51", "b2:1e:ba:a5:6e:71", "2018-03-19T21:40:28.000Z"),
]


class VMStore:
    """The VM configurations (``path`` None: in memory, for a machine without a state directory)."""

    def __init__(self, path: str | os.PathLike | None):
        self.path = os.fspath(path) if path is not None else ":memory:"
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            with self.transaction():
                fresh = self.db.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'vms'").fetchone()[0] == 0
                if fresh:
                    self.db.execute("CREATE TABLE vms (uuid TEXT PRIMARY KEY, config TEXT NOT NULL)")
                    for cfg in DEFAULT_VMS:
                        self._put(cfg)
                else:
                    self.all()          # every row must read back: refuse a damaged store now, whole
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: {e}") from None
        if self.path != ":memory:":
            os.chmod(self.path, 0o600)

    def transaction(self):
        return _Transaction(self.db)

    def _put(self, cfg: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO vms (uuid, config) VALUES (?, ?)",
                        (cfg["uuid"], json.dumps(cfg, sort_keys=True)))

    def all(self) -> list[dict]:
        return [self._config(row[0]) for row in self.db.execute("SELECT config FROM vms ORDER BY uuid")]

    def _config(self, text) -> dict:
        try:
            cfg = json.loads(text)
        except (TypeError, ValueError):
            cfg = None
        if not isinstance(cfg, dict) or not isinstance(cfg.get("uuid"), str):
            raise StoreError(f"{self.path}: a VM's configuration is damaged")
        return cfg

    def get(self, uuid: str) -> dict | None:
        row = self.db.execute("SELECT config FROM vms WHERE uuid = ?", (uuid,)).fetchone()
        return self._config(row[0]) if row else None

    def put(self, cfg: dict) -> None:
        with self.transaction():
            self._put(cfg)

    def update(self, uuid: str, **changes) -> dict:
        with self.transaction():
            cfg = self.get(uuid)
            cfg.update(changes)
            self._put(cfg)
        return cfg

    def delete(self, uuid: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM vms WHERE uuid = ?", (uuid,))

    def close(self) -> None:
        self.db.close()


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
