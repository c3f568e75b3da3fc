-- Audit-log actions follow the API's convention for enum values, lowercase
-- snake_case (round_created, not round.created); entries already logged are
-- renamed so that filtering by action finds them.
UPDATE audit_log SET action = CASE action
  WHEN 'round.created' THEN 'round_created'
  WHEN 'round.previewed' THEN 'round_previewed'
  WHEN 'round.published' THEN 'round_published'
  WHEN 'round.cancelled' THEN 'round_cancelled'
  WHEN 'round.viewed' THEN 'round_viewed'
  WHEN 'members.listed' THEN 'members_listed'
  WHEN 'mail.failed_viewed' THEN 'mail_failed_viewed'
  WHEN 'user.role_changed' THEN 'user_role_changed'
  WHEN 'audit_log.viewed' THEN 'audit_log_viewed'
END
WHERE action IN ('round.created', 'round.previewed', 'round.published', 'round.cancelled', 'round.viewed', 'members.listed', 'mail.failed_viewed', 'user.role_changed', 'audit_log.viewed');
