import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Any change to an API client (revocation, rotation, deletion, even by hand in psql)
 * notifies the gateways, which drop their cached authentications at once.
 */
export class ApiClientNotify1764060000000 implements MigrationInterface {
  name = "ApiClientNotify1764060000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION pgw_api_client_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('pgw_api_client_changed', OLD.key_hash);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER api_client_changed AFTER UPDATE OR DELETE ON api_client
      FOR EACH ROW EXECUTE FUNCTION pgw_api_client_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER api_client_changed ON api_client`);
    await q.query(`DROP FUNCTION pgw_api_client_changed()`);
  }
}
