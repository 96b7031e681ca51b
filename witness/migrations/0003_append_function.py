"""witness_append(): the whole append in one statement on PostgreSQL.

It takes the row lock on the chain head (SELECT … FOR UPDATE), fills the previous hash and the
sequence number into the canonical text the application built (witness.chain.canonical_parts),
hashes it with SHA-256, inserts the event and moves the head. One round trip instead of four;
the hash is the same one witness.chain.event_hash computes, which witness_verify checks."""

from django.db import migrations

UP = """
CREATE OR REPLACE FUNCTION witness_append(
    p_prefix text, p_middle text, p_suffix text,
    p_created_at timestamptz, p_actor_id bigint, p_actor_name varchar, p_organisation_id bigint,
    p_organisation_name varchar, p_role varchar, p_ip varchar, p_action varchar, p_subject_type varchar,
    p_subject_id varchar, p_tender_id bigint, p_data jsonb
) RETURNS TABLE (event_seq bigint, event_prev varchar, event_hash varchar) AS $$
DECLARE
    v_seq bigint;
    v_prev varchar;
    v_hash varchar;
BEGIN
    SELECT h.seq + 1, h.hash INTO v_seq, v_prev FROM witness_chainhead h WHERE h.id = 1 FOR UPDATE;
    IF v_seq IS NULL THEN
        RAISE EXCEPTION 'witness chain head is missing';
    END IF;
    v_hash := encode(sha256(convert_to(p_prefix || v_prev || p_middle || v_seq::text || p_suffix, 'UTF8')), 'hex');
    INSERT INTO witness_event (seq, created_at, actor_id, actor_name, organisation_id, organisation_name, role, ip,
                               action, subject_type, subject_id, tender_id, data, prev_hash, hash)
        VALUES (v_seq, p_created_at, p_actor_id, p_actor_name, p_organisation_id, p_organisation_name, p_role, p_ip,
                p_action, p_subject_type, p_subject_id, p_tender_id, p_data, v_prev, v_hash);
    UPDATE witness_chainhead SET seq = v_seq, hash = v_hash WHERE id = 1;
    RETURN QUERY SELECT v_seq, v_prev, v_hash;
END;
$$ LANGUAGE plpgsql;
"""
DOWN = "DROP FUNCTION IF EXISTS witness_append(text, text, text, timestamptz, bigint, varchar, bigint, varchar, " \
       "varchar, varchar, varchar, varchar, varchar, bigint, jsonb);"


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("witness", "0002_append_only")]

    operations = [migrations.RunPython(up, down)]
