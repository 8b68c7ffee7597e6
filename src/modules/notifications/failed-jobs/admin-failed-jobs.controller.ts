import { Actor, ApiProblemResponses, Page, RequirePermission, type RequestActor } from '@app/common';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  BulkFailedJobsDto,
  BulkFailedJobsResponseDto,
  FailedJobPageResponseDto,
  FailedJobParamsDto,
  FailedJobResponseDto,
  ListFailedJobsQueryDto,
} from './dto/failed-job.dto';
import { FailedJobsService } from './failed-jobs.service';

@ApiTags('admin: jobs')
@Controller({ path: 'admin/jobs' })
export class AdminFailedJobsController {
  constructor(private readonly failedJobs: FailedJobsService) {}

  @Get()
  @RequirePermission('queues:manage')
  @ApiOperation({ summary: 'List jobs that ran out of retries, across every queue, newest failure first' })
  @ApiOkResponse({ type: FailedJobPageResponseDto })
  @ApiProblemResponses(400, 401, 403, 422)
  list(@Query() query: ListFailedJobsQueryDto): Promise<Page<FailedJobResponseDto>> {
    return this.failedJobs.list(query);
  }

  @Post('retry')
  @HttpCode(200)
  @RequirePermission('queues:manage')
  @ApiOperation({
    summary: 'Retry failed jobs: the given ids of one queue, or every failed job (of a queue)',
  })
  @ApiOkResponse({ type: BulkFailedJobsResponseDto })
  @ApiProblemResponses(400, 401, 403)
  retryMany(
    @Actor() actor: RequestActor,
    @Body() body: BulkFailedJobsDto,
  ): Promise<BulkFailedJobsResponseDto> {
    return this.failedJobs.retryMany(actor, body);
  }

  @Post('discard')
  @HttpCode(200)
  @RequirePermission('queues:manage')
  @ApiOperation({
    summary: 'Discard failed jobs: the given ids of one queue, or every failed job (of a queue)',
  })
  @ApiOkResponse({ type: BulkFailedJobsResponseDto })
  @ApiProblemResponses(400, 401, 403)
  discardMany(
    @Actor() actor: RequestActor,
    @Body() body: BulkFailedJobsDto,
  ): Promise<BulkFailedJobsResponseDto> {
    return this.failedJobs.discardMany(actor, body);
  }

  @Post(':queue/:id/retry')
  @HttpCode(200)
  @RequirePermission('queues:manage')
  @ApiOperation({ summary: 'Retry one failed job (it gets one more attempt)' })
  @ApiOkResponse({ type: FailedJobResponseDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  retry(@Actor() actor: RequestActor, @Param() params: FailedJobParamsDto): Promise<FailedJobResponseDto> {
    return this.failedJobs.retry(actor, params.queue, params.id);
  }

  @Delete(':queue/:id')
  @HttpCode(204)
  @RequirePermission('queues:manage')
  @ApiOperation({ summary: 'Discard one failed job' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 401, 403, 404, 409)
  discard(@Actor() actor: RequestActor, @Param() params: FailedJobParamsDto): Promise<void> {
    return this.failedJobs.discard(actor, params.queue, params.id);
  }
}
