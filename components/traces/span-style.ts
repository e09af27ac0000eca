import {
  AlertTriangle,
  Bot,
  Boxes,
  Brain,
  Database,
  GitBranch,
  GitFork,
  Globe,
  type LucideIcon,
  MessageSquare,
  Play,
  Plug,
  Repeat,
  Scale,
  ScrollText,
  Search,
  ShieldCheck,
  Sparkles,
  Split,
  SquareFunction,
  Waypoints,
  Workflow,
  Wrench,
} from "lucide-react";

export type SpanStyle = { label: string; icon: LucideIcon; text: string; bar: string };

/** One colour, icon and label per span type; workflow steps are styled by their step type. */
const TYPES: Record<string, SpanStyle> = {
  workflow_execution: {
    label: "Workflow",
    icon: Workflow,
    text: "text-violet-700 dark:text-violet-300",
    bar: "bg-violet-500",
  },
  agent_execution: { label: "Agent", icon: Bot, text: "text-indigo-700 dark:text-indigo-300", bar: "bg-indigo-500" },
  custom_execution: {
    label: "Execution",
    icon: Play,
    text: "text-indigo-700 dark:text-indigo-300",
    bar: "bg-indigo-400",
  },
  llm_call: { label: "LLM", icon: Sparkles, text: "text-fuchsia-700 dark:text-fuchsia-300", bar: "bg-fuchsia-500" },
  tool_call: { label: "Tool", icon: Wrench, text: "text-amber-700 dark:text-amber-300", bar: "bg-amber-500" },
  http_call: { label: "HTTP", icon: Globe, text: "text-sky-700 dark:text-sky-300", bar: "bg-sky-500" },
  memory: { label: "Memory", icon: Brain, text: "text-teal-700 dark:text-teal-300", bar: "bg-teal-500" },
  custom_event: { label: "Span", icon: Boxes, text: "text-zinc-700 dark:text-zinc-300", bar: "bg-zinc-400" },
  conversation_message: {
    label: "Message",
    icon: MessageSquare,
    text: "text-emerald-700 dark:text-emerald-300",
    bar: "bg-emerald-500",
  },
  log: {
    label: "Log",
    icon: ScrollText,
    text: "text-zinc-600 dark:text-zinc-400",
    bar: "bg-zinc-300 dark:bg-zinc-600",
  },
  error: { label: "Error", icon: AlertTriangle, text: "text-red-700 dark:text-red-300", bar: "bg-red-500" },
  embedding: {
    label: "Embedding",
    icon: Waypoints,
    text: "text-purple-700 dark:text-purple-300",
    bar: "bg-purple-400",
  },
  retrieval: { label: "Retrieval", icon: Search, text: "text-cyan-700 dark:text-cyan-300", bar: "bg-cyan-600" },
  guardrail: {
    label: "Guardrail",
    icon: ShieldCheck,
    text: "text-emerald-800 dark:text-emerald-200",
    bar: "bg-emerald-700",
  },
};

const STEPS: Record<string, SpanStyle> = {
  function: { label: "Function", icon: SquareFunction, text: "text-blue-700 dark:text-blue-300", bar: "bg-blue-500" },
  agent: { label: "Agent step", icon: Bot, text: "text-indigo-700 dark:text-indigo-300", bar: "bg-indigo-400" },
  connector: { label: "Connector", icon: Plug, text: "text-cyan-700 dark:text-cyan-300", bar: "bg-cyan-500" },
  condition: {
    label: "Condition",
    icon: GitBranch,
    text: "text-orange-700 dark:text-orange-300",
    bar: "bg-orange-500",
  },
  switch: { label: "Switch", icon: Split, text: "text-yellow-700 dark:text-yellow-300", bar: "bg-yellow-500" },
  foreach: { label: "For each", icon: Repeat, text: "text-lime-700 dark:text-lime-300", bar: "bg-lime-500" },
  parallel: { label: "Parallel", icon: GitFork, text: "text-pink-700 dark:text-pink-300", bar: "bg-pink-500" },
  // Output (growthxai/output) steps and evaluators.
  step: { label: "Step", icon: SquareFunction, text: "text-blue-700 dark:text-blue-300", bar: "bg-blue-500" },
  evaluator: { label: "Evaluator", icon: Scale, text: "text-rose-700 dark:text-rose-300", bar: "bg-rose-500" },
};

const FALLBACK: SpanStyle = {
  label: "Other",
  icon: Database,
  text: "text-zinc-600 dark:text-zinc-400",
  bar: "bg-zinc-400",
};

export function spanStyle(type: string, stepType: string | null | undefined): SpanStyle {
  if (type === "workflow_step")
    return (stepType && STEPS[stepType]) || { ...FALLBACK, label: stepType ? `Step: ${stepType}` : "Step" };
  return TYPES[type] ?? { ...FALLBACK, label: type };
}
