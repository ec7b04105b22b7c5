-- nmsweep schema, migration 8: artifacts in chunks or in a shared folder, command logs, and
-- command cells waiting for a capable worker. Layout and reasons: docs/schema.md.
--
-- An artifact used to be one bytea row (at most 256 MiB, held whole by the coordinator and by
-- the server). Now its bytes are either that row (storage 'row': the artifacts written before
-- this migration, still readable), or 1 MiB rows of artifact_chunks written as the chunks arrive
-- (storage 'chunks'), or a file of the coordinator's --artifact-dir (storage 'folder',
-- <dir>/sha256/<ab>/<hash>). Only a row stored whole can be checked by the server
-- (hash = sha256(bytes)); chunks and files are hashed by the coordinator as it writes them, and
-- the artifacts row, written last, is the proof that they are complete.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'artifacts'::regclass AND contype = 'c' AND conname <> 'artifacts_hash_check' LOOP
        EXECUTE format('ALTER TABLE artifacts DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
ALTER TABLE artifacts ALTER COLUMN bytes DROP NOT NULL;
ALTER TABLE artifacts ADD COLUMN storage text NOT NULL DEFAULT 'row' CHECK (storage IN ('row', 'chunks', 'folder'));
ALTER TABLE artifacts ADD CONSTRAINT artifacts_bytes_check CHECK (
    CASE storage
        WHEN 'row' THEN bytes IS NOT NULL AND size = octet_length(bytes) AND hash = encode(sha256(bytes), 'hex')
        ELSE bytes IS NULL AND size >= 0
    END);

-- The chunks of artifacts stored as 'chunks': chunk n holds bytes [n MiB, (n+1) MiB). Written
-- before their artifacts row (an upload in progress, or abandoned: such rows are deleted when an
-- upload of the same hash starts again, and ignored while no artifacts row names them).
CREATE TABLE artifact_chunks (
    hash  text NOT NULL CHECK (length(hash) = 64 AND hash !~ '[^0-9a-f]'),
    chunk integer NOT NULL CHECK (chunk >= 0),
    bytes bytea NOT NULL CHECK (octet_length(bytes) <= 1048576),
    PRIMARY KEY (hash, chunk)
);
-- Chunk rows are 1 MiB of incompressible bytes as a rule: stored out of line without trying to compress.
ALTER TABLE artifact_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- The stdout/stderr log of every attempt of a command cell (success or failure), an artifact
-- (kind 'command-log'); `nmsweep logs` reads it. A later run's attempt of the same number
-- replaces the link.
CREATE TABLE cell_logs (
    cell_key   text NOT NULL REFERENCES cells (key) ON DELETE CASCADE,
    attempt    integer NOT NULL CHECK (attempt >= 1),
    artifact   text NOT NULL REFERENCES artifacts (hash),
    worker_id  text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cell_key, attempt)
);

-- Queued command cells that no connected worker may run (none has --allow-commands and the tags
-- they require): [{"requires": ["gpu"], "cells": 4}], written with the rest of the live row.
ALTER TABLE sweep_live ADD COLUMN command_waits jsonb NOT NULL DEFAULT '[]';
