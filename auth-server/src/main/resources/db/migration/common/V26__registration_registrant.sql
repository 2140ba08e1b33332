-- Who registered a dynamic client (the rate-limit key of its address: IPv4 as is, IPv6 its /64), so open
-- registration can bound the live clients per address (review 4 finding 2). NULL for clients registered before.
ALTER TABLE gh_registration_access_token ADD COLUMN registrant VARCHAR(80);
CREATE INDEX gh_registration_access_token_registrant ON gh_registration_access_token (registrant);
