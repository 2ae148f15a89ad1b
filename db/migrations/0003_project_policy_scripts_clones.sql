CREATE TABLE `project_clones` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`target_path` text NOT NULL,
	`status` text NOT NULL,
	`progress` text,
	`error_code` text,
	`error` text,
	`project_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
ALTER TABLE `projects` ADD `ratchet_policy` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `scripts` text;