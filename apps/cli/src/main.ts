#!/usr/bin/env node
import { usePrivateRuntimeDir } from '@weft/zoo/cli';
import { runCli } from './cli.js';
import { processIo } from './cli-io.js';

// Before the WebGPU binding loads (it is imported on first use): without XDG_RUNTIME_DIR, Dawn's
// Vulkan loader prints a harmless "XDG_RUNTIME_DIR is invalid or not set" error twice per run.
usePrivateRuntimeDir();

process.exitCode = await runCli(process.argv.slice(2), processIo);
