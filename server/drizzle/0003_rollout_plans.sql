CREATE TABLE `rollout_plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`env_id` integer NOT NULL,
	`flag_id` integer NOT NULL,
	`state` text NOT NULL,
	`steps` text NOT NULL,
	`current_step` integer NOT NULL,
	`next_step_at` integer,
	`variation` integer NOT NULL,
	`baseline` integer NOT NULL,
	`bucket_by` text NOT NULL,
	`flag_version` integer NOT NULL,
	`reason` text,
	`state_changed_by` text,
	`created_by` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`env_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`flag_id`) REFERENCES `flags`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rollout_plans_open_idx` ON `rollout_plans` (`env_id`,`flag_id`) WHERE "rollout_plans"."state" IN ('active', 'paused');--> statement-breakpoint
CREATE INDEX `rollout_plans_due_idx` ON `rollout_plans` (`state`,`next_step_at`);