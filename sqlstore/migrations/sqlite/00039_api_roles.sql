-- Who in a partnership may use the JSON API: the roles, comma-separated,
-- whose holders may have API tokens (escalate.Partnership.APIRoles). ''
-- means everyone, as before this setting existed; the administrator
-- narrows it on the administration page (doc/web.md, "API tokens").

-- +goose Up
ALTER TABLE partnerships ADD COLUMN api_roles TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE partnerships DROP COLUMN api_roles;
