CREATE TABLE `script_trust` (
	`project_id` text NOT NULL,
	`kind` text NOT NULL,
	`sha256` text NOT NULL,
	`script` text NOT NULL,
	`decision` text NOT NULL,
	`workspace_id` text,
	`decided_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`project_id`, `kind`, `sha256`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
