import type {
  CreateReview,
  ExportFilters,
  Review,
  ReviewCheck,
  ReviewCreated,
  ReviewList,
  ReviewListFilters,
  ReviewStats,
  TrainingExport,
  UpdateReview,
} from "../../lib/contracts/reviews.ts";
import { ApiClient, type ExecutionsOptions } from "./executions.ts";

export type {
  CreateReview,
  Review,
  ReviewList,
  ReviewStats,
  TrainingExample,
  UpdateReview,
} from "../../lib/contracts/reviews.ts";

/** Any error answered by the reviews API, with its status and body. */
export class ReviewsError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message?: string,
  ) {
    super(
      message ?? (body as { error?: { message?: string } } | null)?.error?.message ?? `Reviews API answered ${status}`,
    );
    this.name = "ReviewsError";
  }
}
/** 409: the execution already has a review. */
export class ReviewAlreadyExistsError extends ReviewsError {
  constructor(body: unknown) {
    super(409, body);
    this.name = "ReviewAlreadyExistsError";
  }
}
/** 404: no such review (or execution) in this workspace. */
export class ReviewNotFoundError extends ReviewsError {
  constructor(body: unknown) {
    super(404, body);
    this.name = "ReviewNotFoundError";
  }
}

/** The reviews namespace of the Runflow document: QA reviews of executions, authenticated by an API key. */
export class Reviews extends ApiClient {
  constructor(opts: ExecutionsOptions = {}) {
    super(opts);
  }

  protected override toError(status: number, body: unknown): Error {
    if (status === 409) return new ReviewAlreadyExistsError(body);
    if (status === 404) return new ReviewNotFoundError(body);
    return new ReviewsError(status, body);
  }

  create(input: CreateReview): Promise<ReviewCreated> {
    return this.call("POST /api/v1/runtime/v1/reviews", { body: input });
  }
  check(executionId: string): Promise<ReviewCheck> {
    return this.call("GET /api/v1/runtime/v1/reviews/check", { query: { executionId } });
  }
  list(filters: ReviewListFilters = {}): Promise<ReviewList> {
    return this.call("GET /api/v1/runtime/v1/reviews", { query: filters });
  }
  get(reviewId: string): Promise<Review> {
    return this.call("GET /api/v1/runtime/v1/reviews/[id]", { params: { id: reviewId } });
  }
  update(reviewId: string, patch: UpdateReview): Promise<Review> {
    return this.call("PATCH /api/v1/runtime/v1/reviews/[id]", { params: { id: reviewId }, body: patch });
  }
  async delete(reviewId: string): Promise<void> {
    await this.call("DELETE /api/v1/runtime/v1/reviews/[id]", { params: { id: reviewId } });
  }
  stats(agentId?: string): Promise<ReviewStats> {
    return this.call("GET /api/v1/runtime/v1/reviews/stats", { query: { agentId } });
  }
  /** Resolved reviews as OpenAI chat fine-tuning examples. */
  async exportForTraining(filters: ExportFilters = {}): Promise<TrainingExport> {
    return this.call("GET /api/v1/runtime/v1/reviews/export", { query: filters });
  }
  /** The same examples as JSONL text, one JSON object a line (write it to a .jsonl file). */
  async exportJsonl(filters: ExportFilters = {}): Promise<string> {
    const { training_examples } = await this.exportForTraining(filters);
    return training_examples.map((e) => JSON.stringify(e)).join("\n") + (training_examples.length ? "\n" : "");
  }
}
