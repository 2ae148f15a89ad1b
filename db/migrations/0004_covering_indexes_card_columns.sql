CREATE TABLE `spend_days` (
	`project_id` text NOT NULL,
	`day` integer NOT NULL,
	`usd` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`project_id`, `day`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `spend_days_day_idx` ON `spend_days` (`day`,`usd`);--> statement-breakpoint
ALTER TABLE `pull_requests` ADD `merge_ready_at` integer;--> statement-breakpoint
ALTER TABLE `pull_requests` ADD `done_at` integer;--> statement-breakpoint
CREATE INDEX `pull_requests_updated_idx` ON `pull_requests` (`updated_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `pull_requests_project_updated_idx` ON `pull_requests` (`project_id`,`updated_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `pull_requests_number_idx` ON `pull_requests` (`number`);--> statement-breakpoint
ALTER TABLE `workspaces` ADD `board_column` text DEFAULT 'waiting' NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `attempt_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `cost_usd` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `unread_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `workspaces_board_idx` ON `workspaces` (`board_column`,`created_at`,`id`,`unread_count`);--> statement-breakpoint
CREATE INDEX `workspaces_project_board_idx` ON `workspaces` (`project_id`,`board_column`,`created_at`,`id`,`unread_count`);--> statement-breakpoint
CREATE INDEX `workspaces_updated_idx` ON `workspaces` (`updated_at`);--> statement-breakpoint
CREATE INDEX `agent_sessions_started_idx` ON `agent_sessions` (`created_at`);--> statement-breakpoint
CREATE INDEX `agent_sessions_ended_idx` ON `agent_sessions` (`ended_at`);--> statement-breakpoint
CREATE INDEX `fix_attempts_started_idx` ON `fix_attempts` (`created_at`);--> statement-breakpoint
CREATE INDEX `fix_attempts_ended_idx` ON `fix_attempts` (`ended_at`);--> statement-breakpoint
CREATE INDEX `notifications_ws_read_idx` ON `notifications` (`workspace_id`,`read_at`);--> statement-breakpoint
CREATE INDEX `notifications_created_idx` ON `notifications` (`created_at`);--> statement-breakpoint
CREATE INDEX `notifications_read_idx` ON `notifications` (`read_at`);--> statement-breakpoint
-- Below: written by hand (drizzle-kit generates tables, columns and indexes only). The Kanban
-- column of core/kanban.ts in SQL, one row per workspace; the board triggers store it on the row.
-- tests/db/board-query.test.ts compares it with core/kanban.ts over every combination of stored
-- values: a change of the rules there needs a migration that recreates this view.
CREATE VIEW `workspace_board_columns` AS
SELECT w.id AS workspace_id, CASE
  WHEN w.archived_at IS NOT NULL OR w.status IN ('archiving', 'archived') THEN 'archived'
  WHEN pr.state IN ('merged', 'closed') OR pr.ratchet_state IN ('merged', 'closed') THEN 'done'
  WHEN w.status IN ('failed', 'awaiting_trust', 'awaiting_plan_approval', 'awaiting_budget') THEN 'waiting'
  WHEN w.status IN ('creating_worktree', 'setting_up', 'agent_running', 'pushing') THEN 'working'
  WHEN pr.ratchet_state IN ('awaiting_review', 'awaiting_human', 'stalled', 'base_red', 'paused', 'merge_ready') THEN 'waiting'
  WHEN pr.ratchet_state IN ('watching', 'waiting_ci', 'fixing_ci', 'fixing_review', 'fixing_conflict', 'updating_branch', 'rerunning', 'backoff', 'awaiting_review', 'awaiting_human', 'stalled', 'base_red', 'paused', 'merge_ready', 'merging', 'merged', 'closed', 'stopped') THEN 'working'
  WHEN pr.workspace_id IS NOT NULL AND pr.ci_status = 'pending' THEN 'working'
  ELSE 'waiting'
END AS board_column
FROM `workspaces` w LEFT JOIN `pull_requests` pr ON pr.workspace_id = w.id;
--> statement-breakpoint
CREATE TRIGGER `workspaces_board_insert` AFTER INSERT ON `workspaces` BEGIN
  UPDATE `workspaces` SET `board_column` = (SELECT b.board_column FROM `workspace_board_columns` b WHERE b.workspace_id = NEW.id) WHERE `id` = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `workspaces_board_update` AFTER UPDATE OF `status`, `archived_at` ON `workspaces` BEGIN
  UPDATE `workspaces` SET `board_column` = (SELECT b.board_column FROM `workspace_board_columns` b WHERE b.workspace_id = NEW.id) WHERE `id` = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `pull_requests_board_insert` AFTER INSERT ON `pull_requests` BEGIN
  UPDATE `workspaces` SET `board_column` = (SELECT b.board_column FROM `workspace_board_columns` b WHERE b.workspace_id = NEW.workspace_id) WHERE `id` = NEW.workspace_id;
  UPDATE `pull_requests` SET
    `merge_ready_at` = (SELECT min(e.at) FROM `workspace_events` e
      WHERE e.dedupe_key >= 'ratchet/' || NEW.workspace_id || '/' AND e.dedupe_key < 'ratchet/' || NEW.workspace_id || '0'
        AND e.kind IN ('ratchet.merge', 'ratchet.wait')
        AND (CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.rule') END) = 'merge_ready'),
    `done_at` = (SELECT max(e.at) FROM `workspace_events` e
      WHERE e.dedupe_key >= 'ratchet/' || NEW.workspace_id || '/' AND e.dedupe_key < 'ratchet/' || NEW.workspace_id || '0'
        AND e.kind = 'ratchet.done')
  WHERE `workspace_id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `pull_requests_board_update` AFTER UPDATE OF `state`, `ratchet_state`, `ci_status` ON `pull_requests` BEGIN
  UPDATE `workspaces` SET `board_column` = (SELECT b.board_column FROM `workspace_board_columns` b WHERE b.workspace_id = NEW.workspace_id) WHERE `id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `pull_requests_board_delete` AFTER DELETE ON `pull_requests` BEGIN
  UPDATE `workspaces` SET `board_column` = (SELECT b.board_column FROM `workspace_board_columns` b WHERE b.workspace_id = OLD.workspace_id) WHERE `id` = OLD.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `workspace_events_merge_ready` AFTER INSERT ON `workspace_events`
WHEN NEW.kind IN ('ratchet.merge', 'ratchet.wait')
  AND substr(NEW.dedupe_key, 1, length(NEW.workspace_id) + 9) = 'ratchet/' || NEW.workspace_id || '/'
  AND (CASE WHEN json_valid(NEW.data) THEN json_extract(NEW.data, '$.rule') END) = 'merge_ready'
BEGIN
  UPDATE `pull_requests` SET `merge_ready_at` = min(coalesce(`merge_ready_at`, NEW.at), NEW.at) WHERE `workspace_id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `workspace_events_done` AFTER INSERT ON `workspace_events`
WHEN NEW.kind = 'ratchet.done'
  AND substr(NEW.dedupe_key, 1, length(NEW.workspace_id) + 9) = 'ratchet/' || NEW.workspace_id || '/'
BEGIN
  UPDATE `pull_requests` SET `done_at` = max(coalesce(`done_at`, NEW.at), NEW.at) WHERE `workspace_id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `fix_attempts_count_insert` AFTER INSERT ON `fix_attempts` BEGIN
  UPDATE `workspaces` SET `attempt_count` = (SELECT count(*) FROM `fix_attempts` f WHERE f.workspace_id = NEW.workspace_id) WHERE `id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `fix_attempts_count_delete` AFTER DELETE ON `fix_attempts` BEGIN
  UPDATE `workspaces` SET `attempt_count` = (SELECT count(*) FROM `fix_attempts` f WHERE f.workspace_id = OLD.workspace_id) WHERE `id` = OLD.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `agent_sessions_cost_insert` AFTER INSERT ON `agent_sessions` BEGIN
  UPDATE `workspaces` SET `cost_usd` = (SELECT coalesce(sum(s.cost_usd), 0) FROM `agent_sessions` s WHERE s.workspace_id = NEW.workspace_id) WHERE `id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `agent_sessions_cost_update` AFTER UPDATE OF `cost_usd` ON `agent_sessions` BEGIN
  UPDATE `workspaces` SET `cost_usd` = (SELECT coalesce(sum(s.cost_usd), 0) FROM `agent_sessions` s WHERE s.workspace_id = NEW.workspace_id) WHERE `id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `agent_sessions_cost_delete` AFTER DELETE ON `agent_sessions` BEGIN
  UPDATE `workspaces` SET `cost_usd` = (SELECT coalesce(sum(s.cost_usd), 0) FROM `agent_sessions` s WHERE s.workspace_id = OLD.workspace_id) WHERE `id` = OLD.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `notifications_unread_insert` AFTER INSERT ON `notifications` WHEN NEW.workspace_id IS NOT NULL BEGIN
  UPDATE `workspaces` SET `unread_count` = (SELECT count(*) FROM `notifications` n WHERE n.workspace_id = NEW.workspace_id AND n.read_at IS NULL) WHERE `id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `notifications_unread_update` AFTER UPDATE OF `read_at`, `workspace_id` ON `notifications` BEGIN
  UPDATE `workspaces` SET `unread_count` = (SELECT count(*) FROM `notifications` n WHERE n.workspace_id = OLD.workspace_id AND n.read_at IS NULL) WHERE `id` = OLD.workspace_id;
  UPDATE `workspaces` SET `unread_count` = (SELECT count(*) FROM `notifications` n WHERE n.workspace_id = NEW.workspace_id AND n.read_at IS NULL) WHERE `id` = NEW.workspace_id;
END;
--> statement-breakpoint
CREATE TRIGGER `notifications_unread_delete` AFTER DELETE ON `notifications` WHEN OLD.workspace_id IS NOT NULL BEGIN
  UPDATE `workspaces` SET `unread_count` = (SELECT count(*) FROM `notifications` n WHERE n.workspace_id = OLD.workspace_id AND n.read_at IS NULL) WHERE `id` = OLD.workspace_id;
END;
--> statement-breakpoint
-- Each message with a cost adds it to its project's UTC day, in the message's own insert.
CREATE TRIGGER `agent_messages_spend_day` AFTER INSERT ON `agent_messages` WHEN NEW.cost_usd > 0 BEGIN
  INSERT INTO `spend_days` (`project_id`, `day`, `usd`)
    SELECT w.project_id, CAST(NEW.created_at / 86400000 AS INTEGER) * 86400000, NEW.cost_usd
    FROM `agent_sessions` s JOIN `workspaces` w ON w.id = s.workspace_id
    WHERE s.id = NEW.session_id
  ON CONFLICT (`project_id`, `day`) DO UPDATE SET `usd` = `usd` + excluded.`usd`;
END;
--> statement-breakpoint
-- The derived values for the rows already there.
UPDATE `workspaces` SET
  `board_column` = (SELECT b.board_column FROM `workspace_board_columns` b WHERE b.workspace_id = `workspaces`.`id`),
  `attempt_count` = (SELECT count(*) FROM `fix_attempts` f WHERE f.workspace_id = `workspaces`.`id`),
  `cost_usd` = (SELECT coalesce(sum(s.cost_usd), 0) FROM `agent_sessions` s WHERE s.workspace_id = `workspaces`.`id`),
  `unread_count` = (SELECT count(*) FROM `notifications` n WHERE n.workspace_id = `workspaces`.`id` AND n.read_at IS NULL);
--> statement-breakpoint
UPDATE `pull_requests` SET
  `merge_ready_at` = (SELECT min(e.at) FROM `workspace_events` e
    WHERE e.dedupe_key >= 'ratchet/' || `pull_requests`.`workspace_id` || '/' AND e.dedupe_key < 'ratchet/' || `pull_requests`.`workspace_id` || '0'
      AND e.kind IN ('ratchet.merge', 'ratchet.wait')
      AND (CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.rule') END) = 'merge_ready'),
  `done_at` = (SELECT max(e.at) FROM `workspace_events` e
    WHERE e.dedupe_key >= 'ratchet/' || `pull_requests`.`workspace_id` || '/' AND e.dedupe_key < 'ratchet/' || `pull_requests`.`workspace_id` || '0'
      AND e.kind = 'ratchet.done');
--> statement-breakpoint
INSERT INTO `spend_days` (`project_id`, `day`, `usd`)
  SELECT w.project_id, CAST(m.created_at / 86400000 AS INTEGER) * 86400000 AS d, sum(m.cost_usd)
  FROM `agent_messages` m JOIN `agent_sessions` s ON s.id = m.session_id JOIN `workspaces` w ON w.id = s.workspace_id
  WHERE m.cost_usd > 0
  GROUP BY w.project_id, d;
