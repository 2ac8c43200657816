CREATE TABLE `alert_hooks` (
	`id` text PRIMARY KEY NOT NULL,
	`env_id` integer NOT NULL,
	`provider` text NOT NULL,
	`name` text NOT NULL,
	`auth` text NOT NULL,
	`secret_hash` text NOT NULL,
	`signing_secret` text,
	`hint` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`env_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_hooks_secret_hash_unique` ON `alert_hooks` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `alert_hooks_env_idx` ON `alert_hooks` (`env_id`);--> statement-breakpoint
CREATE TABLE `alert_states` (
	`env_id` integer NOT NULL,
	`provider` text NOT NULL,
	`fingerprint` text NOT NULL,
	`alert_name` text NOT NULL,
	`status` text NOT NULL,
	`occurrence` text NOT NULL,
	`hook_id` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`env_id`, `provider`, `fingerprint`),
	FOREIGN KEY (`env_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_states_updated_idx` ON `alert_states` (`updated_at`);--> statement-breakpoint
CREATE TABLE `kill_latches` (
	`env_id` integer NOT NULL,
	`flag_key` text NOT NULL,
	`rule_id` text NOT NULL,
	`action` text NOT NULL,
	`on_resolve` text NOT NULL,
	`before` text NOT NULL,
	`killed_version` integer NOT NULL,
	`holders` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`env_id`, `flag_key`),
	FOREIGN KEY (`env_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `kill_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`env_id` integer NOT NULL,
	`alert_name` text NOT NULL,
	`matchers` text NOT NULL,
	`flag_key` text,
	`flag_label` text,
	`action` text NOT NULL,
	`on_resolve` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`env_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `kill_rules_env_alert_idx` ON `kill_rules` (`env_id`,`alert_name`);