-- Who holds a claim on an email: a token per claim, so that a worker's
-- renewal, mark or release touches only the rows it still holds (the lease
-- expiry alone cannot say that once live workers extend their leases), and
-- a mark retried after its answer was lost finds its own earlier mark.
ALTER TABLE outbox ADD COLUMN claim TEXT;
