CREATE TABLE `flag_usage` (
	`env_id` integer NOT NULL,
	`flag_key` text NOT NULL,
	`variation` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`last_evaluated_at` integer NOT NULL,
	PRIMARY KEY(`env_id`, `flag_key`, `variation`),
	FOREIGN KEY (`env_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sdk_instances` (
	`env_id` integer NOT NULL,
	`instance_id` text NOT NULL,
	`key_id` text NOT NULL,
	`sdk` text NOT NULL,
	`applied_version` integer,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`env_id`, `instance_id`),
	FOREIGN KEY (`env_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sdk_instances_seen_idx` ON `sdk_instances` (`last_seen_at`);