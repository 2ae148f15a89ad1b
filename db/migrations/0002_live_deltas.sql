CREATE TABLE `live_deltas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`session_id` text NOT NULL,
	`stream` text NOT NULL,
	`attempt` integer NOT NULL,
	`kind` text NOT NULL,
	`data` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `live_deltas_ws_idx` ON `live_deltas` (`workspace_id`,`id`);--> statement-breakpoint
CREATE INDEX `live_deltas_at_idx` ON `live_deltas` (`at`);