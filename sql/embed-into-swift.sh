#!/bin/bash
# Regenerates Sources/SweepStore/Migration+Embedded.swift from sql/*.sql (run from the package root).
set -euo pipefail
out=Sources/SweepStore/Migration+Embedded.swift
{
  echo "// GENERATED from sql/*.sql -- do not edit by hand. Regenerate with sql/embed-into-swift.sh;"
  echo "// MigrationTests.embeddedSQLEqualsTheFilesByteForByte fails when this file and sql/ differ by a single byte."
  echo
  echo "extension Migration {"
  echo "    /// Every migration of sql/, in order, as compiled into the binary."
  echo "    public static let all: [Migration] = ["
  for f in sql/[0-9][0-9][0-9]_*.sql; do
    base=$(basename "$f" .sql); version=$((10#${base%%_*})); name=${base#*_}
    echo "        Migration(version: $version, name: \"$name\", sql: #\"\"\""
    cat "$f"; echo
    echo "\"\"\"#),"
  done
  echo "    ]"
  echo "}"
} > "$out"
