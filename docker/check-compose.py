#!/usr/bin/python3
"""What `docker-compose config` (Debian's 1.29) does not check in docker/compose.yaml.

Reads the normalised file that `docker-compose -f docker/compose.yaml config` prints (standard
input) and checks the rules of docker/README.md, "Secrets":
  - every secret a service names is declared at the top level (compose 1.29 accepts a typo);
  - every declared secret is a file under docker/secrets/ (gitignored, and not in the image's
    build context by .dockerignore);
  - no environment value carries a password: no POSTGRES_PASSWORD / PGPASSWORD variables, no
    user:password@ in a URL.
Exit 1 with one line per fault, naming the service and the key.
"""
import re
import sys

import yaml  # python3-yaml: a dependency of Debian's docker-compose

config = yaml.safe_load(sys.stdin)
faults = []
declared = config.get("secrets") or {}
for name, secret in declared.items():
    path = (secret or {}).get("file", "")
    if "/docker/secrets/" not in path:
        faults.append(f"secrets.{name}: file {path!r} is not under docker/secrets/")
for service_name, service in (config.get("services") or {}).items():
    for entry in service.get("secrets") or []:
        source = entry["source"] if isinstance(entry, dict) else entry
        if source not in declared:
            faults.append(f"services.{service_name}.secrets: {source!r} is not declared under the top-level secrets:")
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    for key, value in environment.items():
        if key in ("POSTGRES_PASSWORD", "PGPASSWORD", "NMSWEEP_DB_PASSWORD"):
            faults.append(f"services.{service_name}.environment.{key}: a password in a variable; use a secret file")
        if value and re.search(r"://[^/@:]+:[^/@]+@", str(value)):
            faults.append(f"services.{service_name}.environment.{key}: a URL with a password; use the db_password secret")
for fault in faults:
    print(f"check-compose: {fault}", file=sys.stderr)
print(f"check-compose: {len(declared)} secrets, {len(config.get('services') or {})} services, {len(faults)} faults")
sys.exit(1 if faults else 0)
