UPDATE audit_log SET action = CASE action
  WHEN 'round_created' THEN 'round.created'
  WHEN 'round_previewed' THEN 'round.previewed'
  WHEN 'round_published' THEN 'round.published'
  WHEN 'round_cancelled' THEN 'round.cancelled'
  WHEN 'round_viewed' THEN 'round.viewed'
  WHEN 'members_listed' THEN 'members.listed'
  WHEN 'mail_failed_viewed' THEN 'mail.failed_viewed'
  WHEN 'user_role_changed' THEN 'user.role_changed'
  WHEN 'audit_log_viewed' THEN 'audit_log.viewed'
END
WHERE action IN ('round_created', 'round_previewed', 'round_published', 'round_cancelled', 'round_viewed', 'members_listed', 'mail_failed_viewed', 'user_role_changed', 'audit_log_viewed');
